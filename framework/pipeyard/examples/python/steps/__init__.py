"""The steps of the 'fit a line' example."""
