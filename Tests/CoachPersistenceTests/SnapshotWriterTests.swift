import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// Snapshots are written by the journal's writer and laid out by `PrettyJSON`, not by
/// `JSONEncoder`: the bytes must still be exactly what `JSONEncoder` wrote for the same file, so
/// that existing snapshots, the format page and people's diffs see no change.
@Suite("Snapshot writer")
struct SnapshotWriterTests {
    let random = JournalJSONWriterTests()

    func context(_ g: inout SeededRandom) -> CoachContext {
        var context = CoachContext(userID: random.text(&g), currentState: CoachingState(rawValue: random.text(&g)))
        context.conversationHistory = (0..<Int.random(in: 0...4, using: &g)).map { _ in random.message(&g) }
        context.consolidatedSummary = Bool.random(using: &g) ? nil : random.text(&g)
        context.userProfile = UserProfile(
            preferredName: Bool.random(using: &g) ? nil : random.text(&g), locale: Bool.random(using: &g) ? nil : "pt",
            goals: (0..<Int.random(in: 0...2, using: &g)).map { _ in random.text(&g) }, attributes: random.metadata(&g))
        context.identities = (0..<Int.random(in: 0...2, using: &g)).map { _ in
            Identity(id: random.text(&g), statement: random.text(&g), supportingActions: [random.text(&g)], createdAt: Date(timeIntervalSince1970: 1e9))
        }
        context.metadata = random.metadata(&g)
        return context
    }

    @Test("lays out compact JSON exactly as JSONEncoder's prettyPrinted does")
    func layoutMatchesJSONEncoder() throws {
        var g = SeededRandom(seed: 3)
        let compact = JSONCoding.compactEncoder(), pretty = JSONCoding.prettyEncoder()
        var values: [JSONValue] = [.array([]), .object([:]), .array([.array([]), .object([:])]), .string("{[,:]}\"\\")]
        values += (0..<2_000).map { _ in random.value(&g) }
        for value in values {
            var out: [UInt8] = []
            PrettyJSON.append(Array(try compact.encode(value)), to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(decoding: try pretty.encode(value), as: UTF8.self))
        }
    }

    @Test("a snapshot's body is the bytes JSONEncoder writes for it, and the file reads back equal")
    func snapshotMatchesJSONEncoder() throws {
        var g = SeededRandom(seed: 5)
        let compact = JSONCoding.compactEncoder(), pretty = JSONCoding.prettyEncoder()
        for index in 0..<500 {
            let snapshot = SnapshotFile(
                context: context(&g), sequence: UInt64.random(in: 0...UInt64.max, using: &g) >> UInt64(index % 64),
                revision: index % 3 == 0 ? nil : "\(index)-0123456789abcdef")
            #expect(try snapshot.compactBody() == Array(compact.encode(snapshot.body)))
            let file = try snapshot.encoded()
            // The file is JSONEncoder's pretty body with the checksum line after its first two bytes.
            var withoutChecksum = file
            withoutChecksum.removeSubrange(2..<29)
            #expect(String(decoding: withoutChecksum, as: UTF8.self) == String(decoding: try pretty.encode(snapshot.body), as: UTF8.self) + "\n")
            #expect(try SnapshotFile.decode(file) == snapshot)
        }
    }

    @Test("every checked-in snapshot is written again byte for byte")
    func fixturesRoundTrip() throws {
        let root = fixturesDirectory.appendingPathComponent("recovery")
        let files = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix("/snapshot.json") }
        var checked = 0
        for path in files {
            var isFolder: ObjCBool = false
            // A hostile user id may name a user's folder "snapshot.json".
            guard FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            let bytes = [UInt8](try Data(contentsOf: root.appendingPathComponent(path)))
            // Files edited on purpose (CRLF, damaged, a future format) are not the writer's output.
            guard !bytes.contains(UInt8(ascii: "\r")), let snapshot = try? SnapshotFile.decode(bytes) else { continue }
            #expect(try snapshot.encoded() == bytes, "\(path)")
            checked += 1
        }
        #expect(checked >= 10)
    }

    @Test("a number JSON cannot hold is refused with JSONEncoder's error, which says where it is")
    func nonFiniteNamesThePath() throws {
        var context = CoachContext(userID: "u")
        context.metadata = ["score": .number(.nan)]
        #expect(throws: EncodingError.self) { try SnapshotFile(context: context, sequence: 1).encoded() }
    }
}
