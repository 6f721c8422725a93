print("eval")
