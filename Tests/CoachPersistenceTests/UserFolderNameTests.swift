import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// `UserFolderName`: user id → folder name under `users/`, for ids that may be anything.
@Suite("User folder names")
struct UserFolderNameTests {
    @Test(
        "plain ids stay readable; everything else is escaped",
        arguments: [
            ("user-123", "user-123"), ("ana", "ana"), ("a_b.c", "a_b.c"), ("a..b.", "a..b."), ("Ann", "^ann"),
            ("USER-123", "^u^s^e^r-123"), ("../x", "%2e.%2fx"), (".", "%2e"), ("..", "%2e."), (".hidden", "%2ehidden"),
            ("caf\u{E9}", "caf%c3%a9"), ("cafe\u{301}", "cafe%cc%81"), ("a b", "a%20b"), ("nul\u{0}", "nul%00"),
            ("%", "%25"), ("^a", "%5ea"), ("~", "%7e"), ("a/b\\c", "a%2fb%5cc"), ("🧘", "%f0%9f%a7%98"),
        ])
    func readable(_ id: String, _ name: String) {
        #expect(UserFolderName.encode(id) == name)
        #expect(UserFolderName.decode(name).map(bytes) == bytes(id))
    }

    @Test("every hostile id of the fixture list gets its own safe folder")
    func hostileList() throws {
        let data = try Data(contentsOf: fixturesDirectory.appendingPathComponent("hostile-user-ids.json"))
        let ids = try JSONDecoder().decode([String].self, from: data)
        #expect(ids.count > 40)
        expectSafeAndInjective(ids)
    }

    @Test("a large random sample of ids maps injectively to safe, reversible folder names")
    func randomSample() {
        var random = SeededRandom(seed: 20)
        let alphabet: [String] = [
            "a", "z", "A", "Z", "0", "9", "-", "_", ".", "%", "^", "~", "/", "\\", " ", "\u{0}", "\n", "\u{7F}",
            "\u{E9}", "e\u{301}", "\u{301}", "Ω", "\u{2126}", "ß", "İ", "ﬁ", "🧘", "\u{2028}", "日", "\u{FEFF}",
        ]
        let ids = (0..<12_000).map { i -> String in
            let length = i % 50 == 0 ? Int.random(in: 60...260, using: &random) : Int.random(in: 1...12, using: &random)
            return (0..<length).map { _ in alphabet.randomElement(using: &random)! }.joined()
        }
        expectSafeAndInjective(ids)
    }

    @Test(
        "ids of any length fit in 255 bytes; long ones are hashed and still distinct",
        arguments: [
            LongID("a", 201), LongID("a", 100_000), LongID("A", 101), LongID("é", 300), LongID("🧘", 100),
            LongID("/", 1000), LongID("\u{0}", 70),
        ])
    func longIDs(_ long: LongID) throws {
        let id = long.id
        let name = UserFolderName.encode(id)
        #expect(name.utf8.count <= 255)
        #expect(UserFolderName.isHashed(name))
        #expect(UserFolderName.decode(name) == nil, "a hashed name is not reversible; the id is read from the folder")
        let hash = name[name.index(after: try #require(name.lastIndex(of: "~")))...]
        #expect(hash.count == 32 && hash.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        let twin = String(id.dropLast()) + "b"
        #expect(UserFolderName.encode(twin) != name)
    }

    @Test("names up to 200 bytes are spelled out; one byte more and they are hashed")
    func hashingThreshold() {
        #expect(UserFolderName.encode(String(repeating: "a", count: 200)) == String(repeating: "a", count: 200))
        #expect(!UserFolderName.isHashed(UserFolderName.encode(String(repeating: "A", count: 100))))
        #expect(UserFolderName.isHashed(UserFolderName.encode(String(repeating: "A", count: 100) + "a")))
        #expect(UserFolderName.isHashed(UserFolderName.encode(String(repeating: "a", count: 201))))
    }

    @Test("the readable prefix of a hashed name never ends inside an escape", arguments: 150...165)
    func hashedPrefixCut(_ plain: Int) throws {
        for escaped in ["/", "B"] {
            let id = String(repeating: "a", count: plain) + String(repeating: escaped, count: 100)
            let name = UserFolderName.encode(id)
            let prefix = String(name[..<(try #require(name.lastIndex(of: "~")))])
            let decoded = try #require(UserFolderName.decode(prefix), "\(prefix)")
            #expect(id.hasPrefix(decoded))
            #expect(prefix.utf8.count >= 158 && prefix.utf8.count <= 160)
        }
    }

    @Test(
        "decode refuses every name encode does not make",
        arguments: [
            "", "%41", "%61", "%2d", "%5f", "%30", "a%2e", ".a", ".", "..", "^A", "^1", "^", "a^", "%", "%2", "%2E",
            "%zz", "A", "a/b", "a b", "é", "%ff", "%c3", "%c3%28", "%ed%a0%80", "%c0%af",
            "abc~0123456789abcdef0123456789abcdef", ".trash-ana",
        ])
    func decodeRefusesNonCanonical(_ name: String) {
        #expect(UserFolderName.decode(name) == nil)
    }

    @Test("whatever decode accepts, encode spells the same way (one name per id)")
    func decodeIsCanonical() {
        var random = SeededRandom(seed: 21)
        let alphabet = Array("abz09-_.^%~2ef")
        var accepted = 0
        var misspelled: [String] = []
        for _ in 0..<50_000 {
            let name = String((0..<Int.random(in: 1...8, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            guard let id = UserFolderName.decode(name) else { continue }
            accepted += 1
            if UserFolderName.encode(id) != name { misspelled.append(name) }
        }
        #expect(accepted > 1_000)
        let everyNameCanonical = misspelled.isEmpty
        #expect(everyNameCanonical, "decoded, but encode spells the id differently: \(misspelled.prefix(10))")
    }
}

/// Checks the rules every folder name keeps, over `ids`: distinct ids (by their bytes) get
/// distinct names, even after case folding; names are safe path components of at most 255
/// bytes; spelled-out names decode back to their id.
private func expectSafeAndInjective(_ ids: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    var problems: [String] = []
    var owners: [String: ExactString] = [:]
    for id in ids {
        let name = UserFolderName.encode(id)
        let key = ExactString(id)
        for variant in Set([name, name.lowercased(), name.uppercased()]) {
            if let other = owners[variant], other != key {
                problems.append("'\(other.value)' and '\(id)' share folder \(name) (up to case)")
            }
            owners[variant] = key
        }
        let safe = name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "\\") }
        if name.isEmpty || name.utf8.count > 255 || name.hasPrefix(".") || !safe {
            problems.append("'\(id)' gets the unsafe folder name '\(name)'")
        }
        if !UserFolderName.isHashed(name), UserFolderName.decode(name).map(bytes) != bytes(id) {
            problems.append("\(name) does not decode back to '\(id)'")
        }
    }
    let noProblems = problems.isEmpty
    #expect(noProblems, "\(problems.count) problems, first: \(problems.prefix(10).joined(separator: "\n"))", sourceLocation: sourceLocation)
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A long id given by its shape, so that the test log names it in a few characters rather than
/// printing all of it (a 100,000-character argument was a 100,000-character log line).
struct LongID: Sendable, CustomTestStringConvertible {
    let unit: String
    let count: Int

    init(_ unit: String, _ count: Int) {
        self.unit = unit
        self.count = count
    }

    /// The id itself.
    var id: String { String(repeating: unit, count: count) }

    var testDescription: String { "\(count) × \(unit.debugDescription)" }
}
