import Glibc

/// A benchmark that could not run: what failed, for the report.
struct BenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }

    /// A failed POSIX call, with its `errno` text.
    static func posix(_ call: String, _ path: String, _ code: Int32) -> BenchError {
        BenchError("\(call) \(path): \(String(cString: strerror(code)))")
    }
}
