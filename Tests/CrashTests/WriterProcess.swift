import Foundation

/// A running `CrashWriter` process (see `Tests/CrashWriter`) and the lines it has printed.
final class WriterProcess: @unchecked Sendable {
    private let process = Process()
    private let errors = Pipe()
    private let lock = NSLock()
    private var printed = Data()
    private let exited = DispatchSemaphore(value: 0)
    private let drained = DispatchSemaphore(value: 0)

    /// Starts the writer on `directory` with `seed` and extra command-line `options`.
    init(directory: URL, seed: UInt64, options: [String] = []) throws {
        let output = Pipe()
        process.executableURL = try Self.executable()
        process.arguments = [directory.path, String(seed)] + options
        process.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        process.standardOutput = output
        process.standardError = errors
        let exited = exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let reader = output.fileHandleForReading
        Thread.detachNewThread { [self] in
            while case let data = reader.availableData, !data.isEmpty { lock.withLock { printed.append(data) } }
            drained.signal()
        }
    }

    /// The complete lines printed so far.
    var lines: [String] {
        let text = lock.withLock { String(decoding: printed, as: UTF8.self) }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// The `ready` line's steps, once the writer has resumed; `nil` while it has not or if it exited.
    func waitUntilReady() async throws -> [Int]? {
        while process.isRunning {
            if let ready = lines.first(where: { $0.hasPrefix("ready") }) {
                return ready.split(separator: " ").dropFirst().compactMap { Int($0) }
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }

    /// Sends SIGKILL, then waits until the process is gone and its output read to the end.
    func kill() async {
        if process.isRunning { _ = Foundation.kill(process.processIdentifier, SIGKILL) }
        await waitUntilExit()
    }

    /// Waits for the process to end by itself and its output to be read to the end.
    func waitUntilExit() async {
        for semaphore in [exited, drained] {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    semaphore.wait()
                    continuation.resume()
                }
            }
        }
    }

    /// Whether the process died of our SIGKILL (rather than exiting by itself). After it ended.
    var wasKilled: Bool { process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL }

    /// How the process ended and what it wrote on stderr, for failure messages. After it ended.
    var ending: String {
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return "reason \(process.terminationReason.rawValue), status \(process.terminationStatus): \(stderr)"
    }

    /// The `CrashWriter` executable, built next to the test bundle (the test target depends on it).
    static func executable() throws -> URL {
        var folder = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        for _ in 0..<5 {
            folder.deleteLastPathComponent()
            let candidate = folder.appendingPathComponent("CrashWriter")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "CrashWriter next to \(CommandLine.arguments[0])"])
    }
}
