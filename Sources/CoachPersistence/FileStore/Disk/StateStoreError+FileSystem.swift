extension StateStoreError {
    /// The store's error for a failed file operation.
    init(_ error: FileSystemError) {
        self = .io(operation: error.operation, path: error.path, errno: error.errno, reason: error.reason)
    }
}
