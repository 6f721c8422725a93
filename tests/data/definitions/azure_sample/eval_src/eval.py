print('eval')
