import Foundation

/// Whole lines to stdout, unbuffered (one `write` each): a line the reader sees is a promise the
/// writer made before it died, and no acknowledged line waits in a buffer.
enum Output {
    private static let lock = NSLock()

    static func line(_ text: String) {
        lock.withLock { write(fd: 1, text + "\n") }
    }

    /// A message on stderr, then exit with `code`.
    static func fail(_ text: String, code: Int32) -> Never {
        write(fd: 2, "CrashWriter: \(text)\n")
        exit(code)
    }

    private static func write(fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            done += n
        }
    }
}
