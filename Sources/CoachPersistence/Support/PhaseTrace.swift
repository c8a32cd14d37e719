import Foundation
// EXPERIMENT ONLY
enum PhaseTrace {
    nonisolated(unsafe) static var lines: [String] = []
    static let lock = NSLock()
    static func mark(_ name: String) {
        guard ProcessInfo.processInfo.environment["COACH_PHASES"] != nil else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let ns = UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
        lock.lock(); lines.append("\(ns) \(name)"); lock.unlock()
    }
    public static func dump(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        try? lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }
}
public enum PhaseTraceDump { public static func dump(_ p: String) { PhaseTrace.dump(p) } }
