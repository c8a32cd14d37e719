import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

/// `history --follow` and `show --follow`: another process's saves appear, like `tail -f`
/// (issue 14, "across processes").
@Suite("coach-store history/show --follow")
struct FollowCommandTests {
    /// A running `coach-store … --follow`, its standard output going to a file.
    private final class Follower {
        let process = Process()
        let output: URL

        init(_ arguments: [String], in dir: TemporaryDirectory) throws {
            output = dir.url.appendingPathComponent("follow-\(UUID().uuidString).out")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            process.executableURL = CLI.executable
            process.arguments = arguments
            let handle = try FileHandle(forWritingTo: output)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            try handle.close()
        }

        var text: String { (try? String(decoding: Data(contentsOf: output), as: UTF8.self)) ?? "" }

        /// Waits until the output contains `needle`: generous, so that a slow machine does not flake.
        func waitFor(_ needle: String, timeout: Duration = .seconds(60)) async throws -> Bool {
            let deadline = ContinuousClock.now.advanced(by: timeout)
            while ContinuousClock.now < deadline {
                if text.contains(needle) { return true }
                guard process.isRunning else { return text.contains(needle) }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }

        /// SIGTERM, then the exit status.
        func stop() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    @Test("history --follow prints a message another process saves, changes no byte, and ends with status 0 on SIGTERM")
    func historyFollow() async throws {
        let dir = TemporaryDirectory("cli-follow-history")
        defer { dir.remove() }
        let store = dir.url.appendingPathComponent("store")
        let written = try await writeSampleStore(store)
        let follower = try Follower(["history", store.path, "bob", "--follow"], in: dir)
        #expect(try await follower.waitFor("turn 2 answer"), "initial history: \(follower.text)")

        var bob = written["bob"]!.versions.last!
        bob.conversationHistory.append(ChatMessage(role: .user, content: "a message saved while following", timestamp: Date(timeIntervalSince1970: 1_800_000_000)))
        let writer = try await openWriter(store)
        try await writer.saveContext(bob)
        try await writer.close()
        let after = try treeContents(store)

        #expect(try await follower.waitFor("a message saved while following"), "\(follower.text)")
        #expect(follower.text.components(separatedBy: "turn 1 from bob").count == 2, "earlier messages are not printed again")
        #expect(follower.stop() == 0)
        var now = try treeContents(store)
        now["store.lock"] = after["store.lock"]
        #expect(now == after, "following is read-only")
    }

    @Test("show --follow shows the context again after a save")
    func showFollow() async throws {
        let dir = TemporaryDirectory("cli-follow-show")
        defer { dir.remove() }
        let store = dir.url.appendingPathComponent("store")
        let written = try await writeSampleStore(store)
        let follower = try Follower(["show", store.path, "carol", "--follow"], in: dir)
        #expect(try await follower.waitFor("habitBuilding"), "\(follower.text)")

        var carol = written["carol"]!.versions.last!
        carol.currentState = .actionPlanning
        let writer = try await openWriter(store)
        try await writer.saveContext(carol)
        try await writer.close()

        #expect(try await follower.waitFor("actionPlanning"), "\(follower.text)")
        #expect(follower.stop() == 0)
    }
}
