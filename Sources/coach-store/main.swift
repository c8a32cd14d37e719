print("coach-store")
