// Placeholder until the crash suite lands: the writer process for the kill -9 tests.
print("CrashWriter")
