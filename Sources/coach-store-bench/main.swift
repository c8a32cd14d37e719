print("coach-store-bench: not yet")
