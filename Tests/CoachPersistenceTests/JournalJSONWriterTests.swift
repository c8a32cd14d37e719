import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// The journal's hand-written JSON must be byte for byte what the `Codable` conformances and
/// `JSONEncoder` produce, so the two can never drift apart.
@Suite("Journal JSON writer")
struct JournalJSONWriterTests {
    static let pieces = ["plain", "", "é", "e\u{301}", "😀🧘‍♀️", "\u{0}", "\u{1f}", "\u{7f}", "\u{2028}", "\"", "\\", "/", "\n\r\t\u{8}\u{c}", "日本", "a b"]

    func text(_ g: inout SeededRandom) -> String {
        (0..<Int.random(in: 0...4, using: &g)).map { _ in Self.pieces.randomElement(using: &g)! }.joined()
    }

    func value(_ g: inout SeededRandom, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &g) {
        case 0: return .string(text(&g))
        case 1:
            return .number([0, -0.0, 1, -3, 1.5, 1e-7, 1e20, 123_456_789_012.5, 9_007_199_254_740_994, 0.1].randomElement(using: &g)!)
        case 2: return .bool(Bool.random(using: &g))
        case 3: return .null
        case 4: return .array((0..<Int.random(in: 0...3, using: &g)).map { _ in value(&g, depth: depth + 1) })
        default: return .object(metadata(&g, depth: depth + 1))
        }
    }

    func metadata(_ g: inout SeededRandom, depth: Int = 0) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...3, using: &g) { result[text(&g)] = value(&g, depth: depth) }
        return result
    }

    func message(_ g: inout SeededRandom) -> ChatMessage {
        ChatMessage(
            role: [.user, .assistant, .system, "tool"].randomElement(using: &g)!, content: text(&g),
            timestamp: Date(timeIntervalSince1970: Double(milliseconds(&g)) / 1000),
            metadata: Bool.random(using: &g) ? [:] : metadata(&g))
    }

    /// Mostly recent times; sometimes times outside the years text can hold, which are
    /// written as a count of milliseconds.
    func milliseconds(_ g: inout SeededRandom) -> Int64 {
        switch Int.random(in: 0..<8, using: &g) {
        case 0: return Int64.random(in: -9_000_000_000_000_000...(-62_200_000_000_000), using: &g)
        case 1: return Int64.random(in: 253_410_000_000_000...9_000_000_000_000_000, using: &g)
        default: return Int64.random(in: -80_000_000_000...250_000_000_000, using: &g)
        }
    }

    func event(_ g: inout SeededRandom) -> JournalEvent {
        switch Int.random(in: 0..<9, using: &g) {
        case 0:
            var context = CoachContext(userID: text(&g), currentState: CoachingState(rawValue: text(&g)))
            context.conversationHistory = (0..<3).map { _ in message(&g) }
            context.consolidatedSummary = Bool.random(using: &g) ? nil : text(&g)
            context.userProfile = UserProfile(preferredName: Bool.random(using: &g) ? nil : text(&g), locale: "pt", goals: [text(&g)], attributes: metadata(&g))
            context.identities = [Identity(id: text(&g), statement: text(&g), supportingActions: [text(&g)], createdAt: Date(timeIntervalSince1970: 1e9))]
            context.metadata = metadata(&g)
            return .contextReplaced(context)
        case 1: return .messagesAppended((0..<2).map { _ in message(&g) })
        case 2: return .historyReplaced((0..<2).map { _ in message(&g) })
        case 3: return .stateChanged(CoachingState(rawValue: text(&g)))
        case 4: return .summaryChanged(Bool.random(using: &g) ? nil : text(&g))
        case 5: return .profileChanged(UserProfile(timeZone: text(&g), values: [text(&g)]))
        case 6: return .identitiesChanged([Identity(id: "x", statement: text(&g), status: "custom", createdAt: Date(timeIntervalSince1970: 0))])
        case 7: return .metadataSet(metadata(&g))
        default: return .metadataRemoved([text(&g), text(&g)])
        }
    }

    @Test("writes the same bytes as JSONEncoder with sorted keys, and reads back equal")
    func matchesJSONEncoder() throws {
        var g = SeededRandom(seed: 42)
        let encoder = JSONCoding.compactEncoder()
        for _ in 0..<2_000 {
            let event = event(&g)
            var writer = JournalJSONWriter()
            try writer.event(event)
            let expected = Array(try encoder.encode(event))
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
            #expect(try JSONDecoder().decode(JournalEvent.self, from: Data(writer.bytes)) == event)
        }
    }

    @Test("integers are written in place exactly as String(_:) writes them")
    func integers() {
        var g = SeededRandom(seed: 7)
        var signed: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, Int64.max, Int64.min, Int64.min + 1]
        signed += (0..<2_000).map { _ in Int64.random(in: Int64.min...Int64.max, using: &g) >> Int64.random(in: 0...63, using: &g) }
        for value in signed {
            var writer = JournalJSONWriter()
            writer.integer(value)
            #expect(writer.bytes == Array(String(value).utf8), "\(value)")
        }
        for value in [UInt64.max, 0, 1, 10_000_000_000_000_000_000] {
            var writer = JournalJSONWriter()
            writer.integer(value)
            #expect(writer.bytes == Array(String(value).utf8), "\(value)")
        }
    }

    @Test("the eight-bytes-at-a-time escape test flags a word exactly when one of its bytes needs escaping")
    func wordEscapeTest() {
        let needs: (UInt8) -> Bool = { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }  // RFC 8259, section 7
        for filler in [UInt8(ascii: "a"), 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF] {
            for position in 0..<8 {
                for byte in UInt8.min...UInt8.max {
                    var word = [UInt8](repeating: filler, count: 8)
                    word[position] = byte
                    let value = word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    #expect(JSONEscaping.wordHasByteToEscape(value) == needs(byte), "byte \(byte) at \(position) among \(filler)")
                }
            }
        }
        var g = SeededRandom(seed: 11)
        for _ in 0..<20_000 {
            let word = (0..<8).map { _ in UInt8.random(in: 0...255, using: &g) }
            let value = word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            #expect(JSONEscaping.wordHasByteToEscape(value) == word.contains(where: needs))
        }
    }

    @Test("long strings with an escaped byte at every offset are written as JSONEncoder writes them")
    func longStringsMatchJSONEncoder() throws {
        let encoder = JSONCoding.compactEncoder()
        for special in ["\"", "\\", "\n", "\u{0}", "\u{1f}", "é", "😀"] {
            for offset in 0..<40 {
                let text = String(repeating: "x", count: offset) + special + String(repeating: "y", count: 40 - offset)
                var writer = JournalJSONWriter()
                writer.string(text)
                #expect(writer.bytes == Array(try encoder.encode(text)), "\(special.debugDescription) at \(offset)")
            }
        }
    }

    @Test("refuses numbers JSON cannot hold")
    func nonFinite() {
        for bad in [Double.nan, .infinity, -.infinity] {
            var writer = JournalJSONWriter()
            #expect(throws: JournalJSONWriter.NonFiniteNumber.self) { try writer.value(.number(bad)) }
        }
    }

    @Test("a record line reads back as the same record")
    func recordRoundTrip() throws {
        var g = SeededRandom(seed: 7)
        for sequence in 1...200 {
            let record = JournalRecord(sequence: UInt64(sequence), events: (0..<3).map { _ in event(&g) })
            var line = try record.encodedLine()
            #expect(line.removeLast() == UInt8(ascii: "\n"))
            #expect(try JournalRecord.decode(line: line[...], decoder: JSONDecoder()).get() == record)
        }
    }
}
