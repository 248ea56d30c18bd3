"""The staff side: the queue, the workflow and its audit trail."""
