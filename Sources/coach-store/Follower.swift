import CoachPersistence
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--follow`: watches one user's files, read-only, like `tail -f`, and calls back after each
/// save another process makes, until SIGINT or SIGTERM ends the process with status 0.
struct Follower {
    let inspector: StoreInspector
    let userID: String

    /// How often the files are looked at: often enough to show a save within a second, rarely
    /// enough to cost nothing (one `stat` per file).
    static let interval = Duration.milliseconds(150)

    /// Polls until a signal ends the process; `onSave` runs after each change of the user's files.
    func run(_ onSave: (StoreInspector) throws -> Void) async throws -> Never {
        Self.exitOnSignals()
        fflush(nil)
        let files = inspector.files(userID: userID)
        var seen = Self.stamp(files)
        var lastError: String?
        while true {
            try await Task.sleep(for: Self.interval)
            let now = Self.stamp(files)
            guard now != seen else { continue }
            seen = now
            do {
                try onSave(inspector)
                lastError = nil
            } catch {
                // A user being deleted or damaged meanwhile: say so once, and keep watching.
                let text = CoachStoreTool.sentence(error)
                if text != lastError { Output.error("coach-store: \(text)") }
                lastError = text
            }
            fflush(nil)
        }
    }

    /// What changes when a save lands: inode, size and modification time of each file.
    private static func stamp(_ files: [String]) -> [Int64] {
        files.flatMap { path -> [Int64] in
            var info = stat()
            guard lstat(path, &info) == 0 else { return [-1] }
            #if canImport(Darwin)
            let time = info.st_mtimespec
            #else
            let time = info.st_mtim
            #endif
            return [Int64(info.st_ino), Int64(info.st_size), Int64(time.tv_sec), Int64(time.tv_nsec)]
        }
    }

    /// SIGINT (Ctrl-C) and SIGTERM end following normally: flush and exit 0.
    private static func exitOnSignals() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                fflush(nil)
                exit(0)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Kept alive for the process's lifetime.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
}
