import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

@testable import CrashWriter

/// kill -9 torture: a writer process saves and compacts until it is killed at a random moment;
/// the store must then hold every acknowledged save, each user exactly the context of one step
/// (at most one unacknowledged step beyond), and the writer must carry on from there.
///
/// 120 kill points by default; `COACH_SOAK_SECONDS=600` kills for ten minutes instead.
/// `COACH_CRASH_SEED` replays a seed a failure printed (kill moments still vary).
@Suite("kill -9 torture")
struct KillTortureTests {
    static let users = 4

    @Test("every acknowledged save survives SIGKILL, across saves and compactions")
    func killNineTorture() async throws {
        let directory = TemporaryDirectory("kill").url.appendingPathComponent("store")
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["COACH_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1..<1 << 48)
        let soak = environment["COACH_SOAK_SECONDS"].flatMap(Double.init)
        let start = Date()
        var expected = (0..<Self.users).map { ExpectedUser(user: $0, seed: seed) }
        var stats = TortureStats()
        var rng = SystemRandomNumberGenerator()
        while soak.map({ Date().timeIntervalSince(start) < $0 }) ?? (stats.kills < 120) {
            let writer = try WriterProcess(directory: directory, seed: seed, options: ["--users", "\(Self.users)"])
            if stats.kills % 8 == 7 {
                // Now and then during start-up, recovery included.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0..<40, using: &rng)))
            } else if let ready = try await writer.waitUntilReady() {
                #expect(ready == expected.map(\.step), "the writer resumed from the steps on disk (seed \(seed))")
                try await Task.sleep(for: .milliseconds(Int.random(in: 0..<150, using: &rng)))
            }
            await writer.kill()
            try #require(writer.wasKilled, "the writer stopped by itself (seed \(seed)): \(writer.ending)")
            let run = WriterRun(lines: writer.lines, users: Self.users)
            stats.record(run)
            try await verify(directory, run, &expected, seed: seed)
        }
        print("kill -9 torture (seed \(seed)): \(stats)")
        #expect(stats.acks > 0)
    }

    /// Reopens the store (running recovery, like a restarted app) and checks every user.
    private func verify(_ directory: URL, _ run: WriterRun, _ expected: inout [ExpectedUser], seed: UInt64) async throws {
        let store = try FileStateStore(directory: directory)
        for user in 0..<Self.users {
            let stored = try await store.loadContext(userID: CrashScript.userID(user))
            let step = CrashScript.step(of: stored)
            let acknowledged = max(expected[user].step, run.acked[user])
            try #require(
                step == acknowledged || step == acknowledged + 1,
                "user \(user) is at step \(step) on disk, but step \(acknowledged) was acknowledged (seed \(seed))")
            try #require(stored == expected[user].advance(to: step), "user \(user) step \(step) differs from what was written (seed \(seed))")
        }
        let stored = Set(try await store.userIDs())
        #expect(stored == Set(expected.filter { $0.step > 0 }.map { CrashScript.userID($0.user) }))
        try await store.close()
    }
}

/// What one user's stored context must be, advanced step by step as the store moves on.
struct ExpectedUser {
    let user: Int
    let seed: UInt64
    private(set) var step = 0
    private(set) var context: CoachContext?

    init(user: Int, seed: UInt64) {
        self.user = user
        self.seed = seed
    }

    /// The context of `target` (never earlier than the current step).
    mutating func advance(to target: Int) -> CoachContext? {
        while step < target {
            step += 1
            context = CrashScript.next(after: context, user: user, step: step, seed: seed)
        }
        return context
    }
}

/// What one writer process printed before it was killed.
struct WriterRun {
    /// The last acknowledged step of each user in this run (0: none).
    var acked: [Int]
    var acks = 0
    var reachedReady = false
    /// Whether a compaction had started and not finished when the writer died (as far as its
    /// asynchronously printed events tell).
    var compacting = false

    init(lines: [String], users: Int) {
        acked = Array(repeating: 0, count: users)
        var open = 0
        for line in lines {
            let words = line.split(separator: " ")
            switch words.first {
            case "ready": reachedReady = true
            case "ack":
                if words.count == 3, let user = Int(words[1]), let step = Int(words[2]), acked.indices.contains(user) {
                    acked[user] = step
                    acks += 1
                }
            case "compaction-start": open += 1
            case "compaction-end": open -= 1
            default: break
            }
        }
        compacting = open > 0
    }
}

/// Counts for the summary line a run prints.
struct TortureStats: CustomStringConvertible {
    var kills = 0
    var killsAfterReady = 0
    var killsDuringCompaction = 0
    var acks = 0

    mutating func record(_ run: WriterRun) {
        kills += 1
        if run.reachedReady { killsAfterReady += 1 }
        if run.compacting { killsDuringCompaction += 1 }
        acks += run.acks
    }

    var description: String {
        "\(kills) kill points (\(kills - killsAfterReady) during start-up or recovery, \(killsDuringCompaction) during a compaction), \(acks) acknowledged saves"
    }
}
