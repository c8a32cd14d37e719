import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// The direct JSON reader against `JSONDecoder`: on everything the store writes it must read
/// (not decline) and give the value `JSONDecoder` gives; on anything else it may decline, but
/// whatever it returns must equal `JSONDecoder`'s result, and it must decline what
/// `JSONDecoder` rejects. The hooks in `SnapshotFile` and `JournalRecord` must take it.
@Suite("Journal JSON reader")
struct JournalJSONReaderTests {
    // MARK: Shapes: the reader's entry points beside their JSONDecoder counterparts

    /// One kind of document, read both ways.
    struct Shape<Value: Equatable> {
        var readDirectly: (UnsafeBufferPointer<UInt8>) -> Value?
        var decodeWithDecoder: (Data) throws -> Value

        func direct(_ bytes: [UInt8]) -> Value? { bytes.withUnsafeBufferPointer(readDirectly) }
        func decoded(_ bytes: [UInt8]) -> Value? { try? decodeWithDecoder(Data(bytes)) }
    }

    /// `SnapshotFile.Body`'s fields, decoded as its synthesized `Decodable` does.
    struct BodyMirror: Decodable {
        var context: CoachContext
        var format: Int
        var revision: String?
        var sequence: UInt64
    }

    /// `JournalRecord.Wire`, decoded as its synthesized `Decodable` does.
    struct WireMirror: Decodable {
        var seq: UInt64
        var events: [JournalEvent]
    }

    static var snapshot: Shape<JournalJSONReader.SnapshotBody> {
        Shape(readDirectly: JournalJSONReader.snapshotBody) { data in
            let body = try JSONDecoder().decode(BodyMirror.self, from: data)
            return .init(context: body.context, format: body.format, revision: body.revision, sequence: body.sequence)
        }
    }

    static var record: Shape<JournalRecord> {
        Shape(readDirectly: JournalJSONReader.record) { data in
            let wire = try JSONDecoder().decode(WireMirror.self, from: data)
            return JournalRecord(sequence: wire.seq, events: wire.events)
        }
    }

    static var context: Shape<CoachContext> {
        Shape(readDirectly: { JournalJSONReader.document($0) { r throws(JournalJSONReader.Declined) in try r.context() } }) {
            try JSONDecoder().decode(CoachContext.self, from: $0)
        }
    }

    static var event: Shape<JournalEvent> {
        Shape(readDirectly: { JournalJSONReader.document($0) { r throws(JournalJSONReader.Declined) in try r.event() } }) {
            try JSONDecoder().decode(JournalEvent.self, from: $0)
        }
    }

    static var metadata: Shape<[String: JSONValue]> {
        Shape(readDirectly: { JournalJSONReader.document($0) { r throws(JournalJSONReader.Declined) in try r.jsonObject() } }) {
            try JSONDecoder().decode([String: JSONValue].self, from: $0)
        }
    }

    /// The reader reads `bytes` (does not decline) and agrees with JSONDecoder.
    func expectRead<V>(_ shape: Shape<V>, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let direct = shape.direct(bytes)
        let decoded = shape.decoded(bytes)
        #expect(direct != nil, "declined: \(text(bytes))", sourceLocation: sourceLocation)
        #expect(decoded != nil, "JSONDecoder failed: \(text(bytes))", sourceLocation: sourceLocation)
        #expect(direct == decoded, "differs: \(text(bytes))", sourceLocation: sourceLocation)
    }

    /// Whatever the reader returns for `bytes` is what JSONDecoder returns. Returns whether it read.
    @discardableResult
    func expectNeverDifferent<V>(_ shape: Shape<V>, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let direct = shape.direct(bytes) else { return false }
        let decoded = shape.decoded(bytes)
        #expect(decoded != nil, "read what JSONDecoder rejects: \(text(bytes))", sourceLocation: sourceLocation)
        #expect(decoded == direct, "differs: \(text(bytes))", sourceLocation: sourceLocation)
        return true
    }

    func text(_ bytes: [UInt8]) -> String {
        let shown = String(decoding: bytes.prefix(400), as: UTF8.self)
        return bytes.count > 400 ? shown + "… (\(bytes.count) bytes)" : shown
    }

    // MARK: What the store writes

    @Test("snapshots the store writes are read, equal to JSONDecoder's result")
    func snapshotsAsWritten() throws {
        var g = ModelGenerator(seed: 1)
        for i in 0..<300 {
            let file = SnapshotFile(context: g.context(), sequence: g.sequence(), revision: i % 3 == 0 ? nil : g.text())
            let bytes = try file.encoded()
            expectRead(Self.snapshot, bytes)
            #expect(Self.snapshot.direct(bytes).map { SnapshotFile(context: $0.context, sequence: $0.sequence, revision: $0.revision) } == file)
        }
    }

    @Test("journal lines the store writes are read, equal to JSONDecoder's result")
    func recordsAsWritten() throws {
        var g = ModelGenerator(seed: 2)
        for _ in 0..<500 {
            let record = JournalRecord(sequence: g.sequence(), events: (0..<Int.random(in: 1...4, using: &g.random)).map { _ in g.event() })
            let line = Array(try record.encodedLine().dropLast())
            expectRead(Self.record, line)
            #expect(Self.record.direct(line) == record)
        }
    }

    @Test("what JSONEncoder writes with the store's two configurations is read", arguments: [false, true])
    func encoderOutput(pretty: Bool) throws {
        let encoder = pretty ? JSONCoding.prettyEncoder() : JSONCoding.compactEncoder()
        var g = ModelGenerator(seed: pretty ? 3 : 4)
        for _ in 0..<300 {
            expectRead(Self.context, Array(try encoder.encode(g.context())))
            expectRead(Self.event, Array(try encoder.encode(g.event())))
            expectRead(Self.metadata, Array(try encoder.encode(g.metadata())))
        }
    }

    @Test("hand-written variants are read: any key order, unknown keys, nulls and missing defaults, escapes, whitespace, number spellings")
    func looseDocuments() throws {
        var g = ModelGenerator(seed: 5)
        for _ in 0..<400 {
            var w = LooseWriter(seed: g.random.next())
            w.snapshotBody(g.context(), sequence: g.sequence(), revision: Bool.random(using: &g.random) ? nil : g.text())
            expectRead(Self.snapshot, w.bytes)

            w = LooseWriter(seed: g.random.next())
            w.record(sequence: g.sequence(), events: (0..<3).map { _ in g.event() })
            expectRead(Self.record, w.bytes)
        }
    }

    @Test("a timestamp's bytes parse as its text does")
    func timestampBytes() {
        var random = SeededRandom(seed: 6)
        for _ in 0..<2_000 {
            let ms = Int64.random(in: -62_167_219_200_000...253_402_299_999_999, using: &random)
            let text = Timestamp.text(milliseconds: ms)!
            #expect(Array(text.utf8).withUnsafeBufferPointer(Timestamp.milliseconds(utf8:)) == ms)
            #expect(Timestamp.milliseconds(text: text) == ms)
        }
        for bad in ["", "2026-11-22T10:00:00.000", "2026-02-30T10:00:00.000Z", "2026-11-22 10:00:00.000Z", "２026-11-22T10:00:00.000Z"] {
            #expect(Array(bad.utf8).withUnsafeBufferPointer(Timestamp.milliseconds(utf8:)) == nil)
        }
    }

    // MARK: Edge cases

    enum Expected {
        /// The reader must read it, equal to JSONDecoder (which must accept it).
        case reads
        /// The reader must decline (JSONDecoder rejects it, or it is outside the reader's subset).
        case declines
    }

    /// Checks one hand-written document: the expectation, and in every case that the reader
    /// declines what JSONDecoder rejects and never returns anything else than JSONDecoder.
    func check<V>(_ shape: Shape<V>, _ json: String, _ expected: Expected, sourceLocation: SourceLocation = #_sourceLocation) {
        check(shape, Array(json.utf8), expected, sourceLocation: sourceLocation)
    }

    func check<V>(_ shape: Shape<V>, _ bytes: [UInt8], _ expected: Expected, sourceLocation: SourceLocation = #_sourceLocation) {
        let read = expectNeverDifferent(shape, bytes, sourceLocation: sourceLocation)
        switch expected {
        case .reads: expectRead(shape, bytes, sourceLocation: sourceLocation)
        case .declines: #expect(!read, "read: \(text(bytes))", sourceLocation: sourceLocation)
        }
    }

    /// A context whose metadata is `value`.
    func withMetadata(_ value: String) -> String { #"{"userID":"u","metadata":{"v":"# + value + "}}" }
    /// A context whose only message has `timestamp`.
    func withTimestamp(_ value: String) -> String {
        #"{"userID":"u","conversationHistory":[{"role":"user","content":"c","timestamp":"# + value + "}]}"
    }

    @Test("optional fields: missing or null give the defaults, as with JSONDecoder; required ones may be neither")
    func optionalFields() {
        check(Self.context, #"{"userID":"u"}"#, .reads)
        check(
            Self.context,
            #"{"userID":"u","currentState":null,"conversationHistory":null,"consolidatedSummary":null,"userProfile":null,"identities":null,"metadata":null}"#,
            .reads)
        check(Self.context, #"{"userID":"u","userProfile":{"preferredName":null,"timeZone":null,"locale":null,"goals":null,"values":null,"attributes":null}}"#, .reads)
        check(Self.context, #"{"userID":"u","userProfile":{}}"#, .reads)
        check(Self.context, #"{"userID":"u","identities":[{"id":"i","statement":"s","createdAt":0,"status":null,"supportingActions":null}]}"#, .reads)
        check(Self.context, #"{"userID":"u","conversationHistory":[{"role":"user","content":"c","timestamp":0,"metadata":null}]}"#, .reads)
        check(Self.context, #"{"userID":"u","conversationHistory":[{"role":"user","content":"c","timestamp":0,"metadata":{}}]}"#, .reads)
        check(Self.context, #"{"userID":null}"#, .declines)
        check(Self.context, #"{}"#, .declines)
        check(Self.context, #"{"userID":"u","conversationHistory":[{"role":"user","timestamp":0}]}"#, .declines)
        check(Self.context, #"{"userID":"u","conversationHistory":[{"role":null,"content":"c","timestamp":0}]}"#, .declines)
        check(Self.context, #"{"userID":"u","conversationHistory":[{"role":"user","content":"c","timestamp":null}]}"#, .declines)
        check(Self.context, #"{"userID":"u","identities":[{"id":"i","statement":"s"}]}"#, .declines)
        check(Self.context, #"{"userID":"u","identities":[null]}"#, .declines)
        check(Self.context, #"{"userID":"u","userProfile":{"goals":[null]}}"#, .declines)
        check(Self.context, #"{"userID":5}"#, .declines)
        check(Self.context, #"{"userID":"u","currentState":1}"#, .declines)
        check(Self.context, #"[]"#, .declines)
        check(Self.context, #""u""#, .declines)
    }

    @Test("unknown keys are skipped; their values must still be JSON, and what JSONDecoder does not check there is declined")
    func unknownKeys() {
        check(Self.context, #"{"zz":{"a":[1,2.5,-3e-2,true,false,null,"x",{}]},"userID":"u","aa":[]}"#, .reads)
        check(Self.context, #"{"userID":"u","x":1,"x":2}"#, .reads)  // repeated unknown keys: ignored by both
        check(Self.context, #"{"userID":"u","x":1e400}"#, .reads)  // only its grammar is checked, by both
        check(Self.context, #"{"userID":"u","x":tru}"#, .declines)
        check(Self.context, #"{"userID":"u","x":[1,}"#, .declines)
        check(Self.context, #"{"userID":"u","x":01}"#, .declines)
        // JSONDecoder only checks a skipped value's structure: these it accepts, the reader declines.
        check(Self.context, #"{"userID":"u","x":"\uD800"}"#, .declines)
        check(Self.context, #"{"userID":"u","x":"\q"}"#, .declines)
        check(Self.context, #"{"userID":"u","x":1.2.3}"#, .declines)
        check(Self.context, Array(#"{"userID":"u","x":""#.utf8) + [0xFF] + Array(#""}"#.utf8), .declines)
        check(Self.context, Array(#"{"userID":"u","x":""#.utf8) + [0x09] + Array(#""}"#.utf8), .declines)
        // Keys of model objects are matched by bytes only when plain ASCII.
        check(Self.context, #"{"user\u0049D":"u"}"#, .declines)
        check(Self.context, #"{"userID":"u","é":1}"#, .declines)
        check(Self.context, #"{"userID":"u","x\"y":1}"#, .declines)
    }

    @Test("repeated keys decline (JSONDecoder keeps the first), also keys equal only as Swift strings")
    func repeatedKeys() {
        check(Self.context, #"{"userID":"a","userID":"b"}"#, .declines)
        check(Self.context, #"{"userID":"a","metadata":{},"metadata":{"k":1}}"#, .declines)
        check(Self.event, #"{"type":"stateChanged","type":"summaryChanged","value":"x"}"#, .declines)
        check(Self.metadata, #"{"k":1,"k":2}"#, .declines)
        check(Self.metadata, #"{"café":1,"cafe\u0301":2}"#, .declines)  // NFC and NFD
        check(Self.metadata, #"{"\u212A":1,"K":2}"#, .declines)  // KELVIN SIGN is canonically "K"
        check(Self.metadata, #"{"café":1,"cafe":2}"#, .reads)
        check(Self.record, #"{"seq":1,"seq":2,"events":[]}"#, .declines)
    }

    @Test("syntax JSONDecoder tolerates or rejects beyond RFC 8259 is declined")
    func syntax() {
        check(Self.context, #"{"userID":"u",}"#, .declines)  // JSONDecoder accepts trailing commas
        check(Self.metadata, #"{"a":[1,2,]}"#, .declines)
        check(Self.metadata, #"{"a":[,]}"#, .declines)
        check(Self.metadata, #"{,}"#, .declines)
        check(Self.metadata, #"{"a" 1}"#, .declines)
        check(Self.metadata, #"{"a":1"#, .declines)
        check(Self.metadata, #"{"a":"#, .declines)
        check(Self.metadata, #"{"a":tru}"#, .declines)
        check(Self.metadata, #"{"a":True}"#, .declines)
        check(Self.metadata, #"{"a":nul}"#, .declines)
        check(Self.metadata, #"{a:1}"#, .declines)
        check(Self.metadata, #"{'a':1}"#, .declines)
        check(Self.metadata, " \n\t\r{\"a\" : [ 1 , { } ] }\r\n\t ", .reads)
        check(Self.metadata, #"{"a":1} x"#, .declines)  // bytes after the document
        check(Self.metadata, #"{"a":1}{}"#, .declines)
        check(Self.metadata, "{\"a\":1}\u{0C}", .declines)  // form feed is not JSON whitespace
        check(Self.metadata, "{\"a\":\u{A0}1}", .declines)
        check(Self.metadata, [0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8), .declines)  // JSONDecoder skips a BOM
        check(Self.metadata, Array(#"{"a":1}"#.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, .declines)  // UTF-16
        check(Self.metadata, [], .declines)
        check(Self.metadata, "   ", .declines)
    }

    @Test("strings: every escape, surrogate pairs and UTF-8 are decoded as JSONDecoder does; what it rejects is declined")
    func strings() {
        for escaped in [#"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#, #"\u0000"#, #"\u001f"#, #"\u00e9"#, #"\u00E9"#, #"\u20ac"#,
                        #"\uD83D\uDE00"#, #"\ud83d\ude00"#, #"\uDBFF\uDFFF"#, #"\uD800\uDC00"#, #"\uFFFF"#, #"\uFEFF"#, #"e\u0301"#, "😀🧘‍♀️", "\u{7F}", "日本", "a\\u0062c",
                        #"long run before the escape, more than eight bytes\n and after it, é and more"#] {
            check(Self.metadata, #"{"k":"x"# + escaped + #"y","# + #""k"# + escaped + #"":1}"#, .reads)
        }
        for bad in [#"\uD83D"#, #"\uD83Dx"#, #"\uD83D\u0041"#, #"\uD83D\uD83D"#, #"\uDE00"#, #"\uDE00\uD83D"#, #"\x"#, #"\U0041"#, #"\u12G4"#,
                    #"\u123"#, #"\'"#, #"\"#, #"\u+123"#, #"\u-123"#] {
            check(Self.metadata, #"{"k":"x"# + bad + #"y"}"#, .declines)
        }
        check(Self.metadata, Array(#"{"k":"a"#.utf8) + [0x00] + Array(#""}"#.utf8), .declines)  // raw control bytes
        check(Self.metadata, Array(#"{"k":"a"#.utf8) + [0x0A] + Array(#""}"#.utf8), .declines)
        check(Self.metadata, Array(#"{"k":"a"#.utf8) + [0x1F] + Array(#"\n"}"#.utf8), .declines)
        check(Self.metadata, Array(#"{"k":"eight bytes and more"#.utf8) + [0x0A] + Array(#"eight bytes and more"}"#.utf8), .declines)
        for invalid: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3]] {
            check(Self.metadata, Array(#"{"k":"a"#.utf8) + invalid + Array(#""}"#.utf8), .declines)
            check(Self.metadata, Array(#"{"k":"a\n"#.utf8) + invalid + Array(#""}"#.utf8), .declines)
            check(Self.metadata, Array(#"{"k":"more than eight bytes"#.utf8) + invalid + Array(#"more than eight bytes"}"#.utf8), .declines)
            check(Self.metadata, Array(#"{"a"#.utf8) + invalid + Array(#"":1}"#.utf8), .declines)
        }
        check(Self.metadata, Array(#"{"k":"a"#.utf8) + [0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80] + Array(#"\n"}"#.utf8), .reads)
        check(Self.metadata, #"{"k":"unterminated}"#, .declines)
    }

    @Test("numbers in metadata read as JSONDecoder's Double; what it cannot represent is declined")
    func numbers() {
        for number in ["0", "-0", "1", "-1", "1.0", "1.5", "-2.25", "1e2", "1E2", "1e+2", "1e-2", "-1.5E-7", "0.0", "0e10", "0.000e-400",
                       "9007199254740993", "123456789012345678901234567890", "999999999999999", "1000000000000000", "-999999999999999",
                       "1.7976931348623157e308", "4.9e-324", "5e-324", "2.2250738585072011e-308", "0.1", "3.141592653589793238462643383279",
                       "100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"] {
            check(Self.metadata, #"{"k":"# + number + "}", .reads)
        }
        for number in ["1e400", "-1e400", "1.8e308", "1e-400", "2e-324", "-1e-400", "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "--1", "1.5e3.2",
                       "0x10", "Infinity", "NaN", "1_000", "١"] {
            check(Self.metadata, #"{"k":"# + number + "}", .declines)
        }
        check(Self.metadata, #"{"k":[1,-0.5,{"n":2e-3}]}"#, .reads)
    }

    @Test("integer fields: plain digits in range are read; fractions, exponents, -0 and out-of-range values are left to JSONDecoder")
    func integerFields() {
        func truncated(_ value: String) -> String { #"{"type":"historyTruncated","value":"# + value + "}" }
        check(Self.event, truncated("0"), .reads)
        check(Self.event, truncated("12"), .reads)
        check(Self.event, truncated("9223372036854775807"), .reads)
        check(Self.event, truncated("9223372036854775808"), .declines)
        check(Self.event, truncated("-1"), .declines)  // JSONDecoder: a count cannot be negative
        check(Self.event, truncated("1.0"), .declines)  // JSONDecoder reads 1
        check(Self.event, truncated("1e2"), .declines)  // JSONDecoder reads 100
        check(Self.event, truncated("-0"), .declines)
        check(Self.event, truncated("1.5"), .declines)
        check(Self.event, truncated("\"1\""), .declines)
        check(Self.event, truncated("null"), .declines)
        check(Self.record, #"{"seq":18446744073709551615,"events":[]}"#, .reads)
        check(Self.record, #"{"seq":0,"events":[]}"#, .reads)
        check(Self.record, #"{"seq":18446744073709551616,"events":[]}"#, .declines)
        check(Self.record, #"{"seq":-1,"events":[]}"#, .declines)
        check(Self.record, #"{"seq":1.0,"events":[]}"#, .declines)
        check(Self.snapshot, #"{"context":{"userID":"u"},"format":-9223372036854775808,"sequence":1}"#, .reads)
        check(Self.snapshot, #"{"context":{"userID":"u"},"format":1e0,"sequence":1}"#, .declines)
    }

    @Test("timestamps: the exact ISO form or whole milliseconds")
    func timestamps() {
        for value in [#""2026-11-22T10:00:00.123Z""#, #""0000-01-01T00:00:00.000Z""#, #""9999-12-31T23:59:59.999Z""#, #""2024-02-29T00:00:00.000Z""#,
                      "0", "1790000000123", "-62167219200001", "253402300800000", "2251799813685248", "2251799813685249", "-9223372036854775808",
                      "9223372036854775807"] {
            check(Self.context, withTimestamp(value), .reads)
        }
        for value in [#""2026-02-30T10:00:00.000Z""#, #""2023-02-29T00:00:00.000Z""#, #""2026-11-22T10:00:00Z""#, #""2026-11-22T10:00:00.123+00:00""#,
                      #""2026-11-22T24:00:00.000Z""#, #""2026-11-22t10:00:00.000Z""#, #""""#, "1.5", "1e3", "-0", "true", "null", "[]",
                      #""2026-11-22T10:00:00.123Z ""#] {
            check(Self.context, withTimestamp(value), .declines)
        }
        // JSONDecoder unescapes before parsing: valid, but left to it.
        check(Self.context, withTimestamp(#""2026\u002d11-22T10:00:00.123Z""#), .declines)
    }

    @Test("events: either key order, a missing or null summary, unknown or invalid types")
    func events() {
        check(Self.event, #"{"type":"summaryChanged"}"#, .reads)
        check(Self.event, #"{"type":"summaryChanged","value":null}"#, .reads)
        check(Self.event, #"{"value":"x","type":"summaryChanged"}"#, .reads)
        check(Self.event, #"{"value":{"userID":"u","metadata":{"a":[[[]]]}},"x":[{}],"type":"contextReplaced"}"#, .reads)
        check(Self.event, #"{"value":[{"role":"user","content":"c","timestamp":0}],"type":"messagesAppended"}"#, .reads)
        check(Self.event, #"{"type":"metadataRemoved","value":["a","a"]}"#, .reads)
        check(Self.event, #"{"type":"metadataSet","value":{}}"#, .reads)
        check(Self.event, #"{"type":"identitiesChanged","value":[]}"#, .reads)
        check(Self.event, #"{"type":"profileChanged","value":{}}"#, .reads)
        check(Self.event, #"{"type":"stateChanged"}"#, .declines)
        check(Self.event, #"{"type":"stateChanged","value":null}"#, .declines)
        check(Self.event, #"{"type":"contextReplaced","value":null}"#, .declines)
        check(Self.event, #"{"value":"x"}"#, .declines)
        check(Self.event, #"{"type":"newerEvent","value":1}"#, .declines)
        check(Self.event, #"{"type":null,"value":1}"#, .declines)
        check(Self.event, #"{"type":"state\u0043hanged","value":"x"}"#, .declines)
        check(Self.event, #"{"value":tru,"type":"stateChanged"}"#, .declines)
        check(Self.event, #"{"value":"x","value":"y","type":"stateChanged"}"#, .declines)
    }

    @Test("nesting: deep values are read up to the reader's limit, deeper ones left to JSONDecoder, which refuses past 512")
    func nesting() {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        // The context and the metadata object are two levels.
        check(Self.context, withMetadata(nested(JournalJSONReader.maximumDepth - 2)), .reads)
        check(Self.context, withMetadata(nested(JournalJSONReader.maximumDepth - 1)), .declines)
        check(Self.context, #"{"userID":"u","x":"# + nested(JournalJSONReader.maximumDepth) + "}", .declines)
        check(Self.context, withMetadata(nested(600)), .declines)
        #expect(Self.context.decoded(Array(withMetadata(nested(600)).utf8)) == nil)  // JSONDecoder's own limit
        check(Self.context, withMetadata(String(repeating: #"{"a":"#, count: 100) + "1" + String(repeating: "}", count: 100)), .reads)
    }

    @Test("records and snapshot bodies: required fields, skipped checksums, newer formats")
    func documents() {
        check(Self.record, #"{"seq":1,"events":[]}"#, .reads)
        check(Self.record, #"{"seq":1,"events":[],"crc":"0000abcd"}"#, .reads)
        check(Self.record, #"{"events":[{"type":"summaryChanged"}],"seq":7}"#, .reads)
        check(Self.record, #"{"seq":1}"#, .declines)
        check(Self.record, #"{"events":[]}"#, .declines)
        check(Self.record, #"{"seq":1,"events":null}"#, .declines)
        check(Self.record, #"{"seq":1,"events":[{"type":"stateChanged","value":"x"},]}"#, .declines)
        check(Self.snapshot, #"{"checksum":"x","context":{"userID":"u"},"format":1,"sequence":3}"#, .reads)
        check(Self.snapshot, #"{"context":{"userID":"u"},"format":1,"revision":null,"sequence":3}"#, .reads)
        check(Self.snapshot, #"{"context":{"userID":"u"},"format":2,"revision":"r","sequence":3}"#, .reads)
        check(Self.snapshot, #"{"context":{"userID":"u"},"format":1}"#, .declines)
        check(Self.snapshot, #"{"context":{"userID":"u"},"sequence":1}"#, .declines)
        check(Self.snapshot, #"{"context":null,"format":1,"sequence":1}"#, .declines)
        check(Self.snapshot, #"{"context":{"userID":"u"},"format":1,"revision":5,"sequence":1}"#, .declines)
    }

    @Test("what JSONDecoder makes of valid cases the reader declines (why it declines them)")
    func decoderBehaviour() {
        // Not requirements on the reader, which declines all of these: a record of the choices.
        // Trailing commas are accepted.
        #expect(Self.context.decoded(Array(#"{"userID":"u",}"#.utf8)) == CoachContext(userID: "u"))
        // A repeated key: the first value wins, in model objects and in metadata.
        #expect(Self.context.decoded(Array(#"{"userID":"a","userID":"b"}"#.utf8))?.userID == "a")
        #expect(Self.metadata.decoded(Array(#"{"k":1,"k":2}"#.utf8)) == ["k": 1])
        // Keys are unescaped and compared as Swift strings: canonically equivalent keys are one key.
        #expect(Self.context.decoded(Array(#"{"user\u0049D":"u"}"#.utf8))?.userID == "u")
        #expect(Self.metadata.decoded(Array(#"{"café":1,"cafe\u0301":2}"#.utf8))?.count == 1)
        // Integers written as 1.0 or 1e2 are read as integers.
        #expect(Self.event.decoded(Array(#"{"type":"historyTruncated","value":1.0}"#.utf8)) == .historyTruncated(1))
        #expect(Self.event.decoded(Array(#"{"type":"historyTruncated","value":1e2}"#.utf8)) == .historyTruncated(100))
        // A UTF-8 byte order mark is skipped.
        #expect(Self.metadata.decoded([0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8)) == ["a": 1])
        // A skipped value's strings are not decoded: a lone surrogate or an invalid escape passes.
        #expect(Self.context.decoded(Array(#"{"userID":"u","x":"\uD800\q"}"#.utf8)) == CoachContext(userID: "u"))
        // A number that overflows a Double, or underflows to zero, is an error where it is read.
        #expect(Self.metadata.decoded(Array(#"{"k":1e400}"#.utf8)) == nil)
        #expect(Self.metadata.decoded(Array(#"{"k":1e-400}"#.utf8)) == nil)
    }

    // MARK: Mutations

    @Test("thousands of random byte mutations of valid files: whenever the reader reads, JSONDecoder agrees")
    func mutations() throws {
        var g = ModelGenerator(seed: 8)
        var snapshots: [[UInt8]] = []
        var lines: [[UInt8]] = []
        for _ in 0..<6 {
            var small = g.context()
            small.conversationHistory = Array(small.conversationHistory.prefix(3))
            snapshots.append(try SnapshotFile(context: small, sequence: g.sequence(), revision: "r").encoded())
            lines.append(Array(try JournalRecord(sequence: g.sequence(), events: [g.event(), g.event()]).encodedLine().dropLast()))
            var w = LooseWriter(seed: g.random.next())
            w.record(sequence: g.sequence(), events: [g.event()])
            lines.append(w.bytes)
        }
        var random = SeededRandom(seed: 9)
        var read = (snapshots: 0, records: 0)
        for _ in 0..<5_000 {
            if expectNeverDifferent(Self.snapshot, Self.mutated(snapshots.randomElement(using: &random)!, &random)) { read.snapshots += 1 }
            if expectNeverDifferent(Self.record, Self.mutated(lines.randomElement(using: &random)!, &random)) { read.records += 1 }
        }
        // Many mutations land inside strings and leave valid JSON: the comparison is not vacuous.
        #expect(read.snapshots > 150 && read.records > 150, "read \(read)")
    }

    /// `bytes` after one to three random edits: a bit flip, a byte replaced by one JSON cares
    /// about, an insertion, a deletion, or a range duplicated.
    static func mutated(_ bytes: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        let interesting = Array(#"{}[]:,"\/u0189-+.eEtrufalsn "#.utf8) + [0x00, 0x0A, 0x09, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xFF]
        var out = bytes
        for _ in 0..<Int.random(in: 1...3, using: &random) where !out.isEmpty {
            let at = Int.random(in: 0..<out.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: out[at] ^= 1 << UInt8.random(in: 0...7, using: &random)
            case 1: out[at] = interesting.randomElement(using: &random)!
            case 2: out.insert(interesting.randomElement(using: &random)!, at: at)
            case 3: out.insert(UInt8.random(in: 0...255, using: &random), at: at)
            case 4: out.removeSubrange(at..<min(out.count, at + Int.random(in: 1...8, using: &random)))
            default:
                let end = min(out.count, at + Int.random(in: 1...24, using: &random))
                out.insert(contentsOf: out[at..<end], at: Int.random(in: 0...out.count, using: &random))
            }
        }
        return out
    }

    // MARK: The hooks

    /// A decoder that counts its calls: zero means the direct reader answered.
    final class CountingDecoder: JSONDecoder, @unchecked Sendable {
        private let calls = Locked(0)
        var count: Int { calls.withLock { $0 } }

        override func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
            calls.withLock { $0 += 1 }
            return try super.decode(type, from: data)
        }
    }

    @Test("SnapshotFile.decode takes the direct reader for what the store writes, JSONDecoder for the rest, with the same results and errors")
    func snapshotHook() throws {
        var g = ModelGenerator(seed: 10)
        let file = SnapshotFile(context: g.context(), sequence: 12, revision: "rev")
        let counting = CountingDecoder()
        #expect(try SnapshotFile.decode(try file.encoded(), decoder: counting) == file)
        #expect(counting.count == 0)

        // Valid JSON the reader declines (a trailing comma): JSONDecoder decodes it as before.
        let declined = Self.resigned(#"{"context":{"userID":"u"},"format":1,"sequence":4,}"#)
        #expect(try SnapshotFile.decode(declined, decoder: counting) == SnapshotFile(context: CoachContext(userID: "u"), sequence: 4))
        #expect(counting.count == 1)

        // A newer format is reported by either path.
        #expect(throws: SnapshotFile.ReadError.newerFormat(2)) { try SnapshotFile.decode(Self.resigned(#"{"context":{"userID":"u"},"format":2,"sequence":4}"#)) }
        #expect(throws: SnapshotFile.ReadError.newerFormat(2)) { try SnapshotFile.decode(Self.resigned(#"{"context":{"userID":"u"},"format":2.0,"sequence":4}"#)) }

        // A broken body keeps JSONDecoder's message.
        let broken = #"{"context":{"userID":"u","conversationHistory":[{"role":"user","content":"c","timestamp":"yesterday"}]},"format":1,"sequence":4}"#
        let reason = try #require(Self.decoderReason(BodyMirror.self, broken))
        #expect(throws: SnapshotFile.ReadError.invalid(reason)) { try SnapshotFile.decode(Self.resigned(broken)) }
        #expect(reason.contains("yesterday"))
    }

    @Test("JournalRecord.decode and decodeIgnoringChecksum take the direct reader for what the store writes, JSONDecoder for the rest")
    func recordHook() throws {
        var g = ModelGenerator(seed: 11)
        let record = JournalRecord(sequence: 3, events: [g.event(), g.event(), .summaryChanged(nil)])
        let line = Array(try record.encodedLine().dropLast())
        let counting = CountingDecoder()
        #expect(try JournalRecord.decode(line: line[...], decoder: counting).get() == record)
        #expect(JournalRecord.decodeIgnoringChecksum(line: line[...], decoder: counting) == record)
        #expect(JournalRecord.decode(line: (line + [0x0D])[...], decoder: counting) == .success(record))
        #expect(counting.count == 0)

        let declined = Self.signedLine(#"{"seq":3,"events":[{"type":"historyTruncated","value":2.0}]"#)
        #expect(JournalRecord.decode(line: declined[...], decoder: counting) == .success(JournalRecord(sequence: 3, events: [.historyTruncated(2)])))
        #expect(counting.count == 1)

        let broken = #"{"seq":3,"events":[{"type":"historyTruncated","value":-2}]"#
        let reason = try #require(Self.decoderReason(WireMirror.self, broken + #","crc":"00000000"}"#))
        #expect(JournalRecord.decode(line: Self.signedLine(broken)[...], decoder: JSONDecoder()) == .failure(.undecodable(reason)))
        #expect(reason.contains("negative"))
    }

    /// `body` (one line of JSON) as a snapshot file: a newline after its brace, the checksum line, the final newline.
    static func resigned(_ body: String) -> [UInt8] {
        let bodyBytes = Array("{\n".utf8) + Array(body.utf8.dropFirst())
        let crc = CRC32C.checksum(bodyBytes)
        return Array(bodyBytes[..<2]) + Array(#"  "checksum" : ""#.utf8) + CRC32C.hex(crc) + Array("\",\n".utf8) + Array(bodyBytes[2...]) + [0x0A]
    }

    /// `body` (through the events' closing bracket) with its checksum suffix.
    static func signedLine(_ body: String) -> [UInt8] {
        let bytes = Array(body.utf8)
        return bytes + Array(#","crc":""#.utf8) + CRC32C.hex(CRC32C.checksum(bytes)) + Array(#""}"#.utf8)
    }

    /// The reason JSONDecoder gives for `json`, as the store words it.
    static func decoderReason<T: Decodable>(_ type: T.Type, _ json: String) -> String? {
        do {
            _ = try JSONDecoder().decode(type, from: Data(json.utf8))
            return nil
        } catch {
            return JSONCoding.reason(error)
        }
    }
}

// MARK: - Generators

/// Random model values that reach every corner the format has: every escape and kind of
/// Unicode, numbers of every size, empty and missing collections, dates written as numbers.
struct ModelGenerator {
    var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    static let pieces = [
        "plain", "", "é", "e\u{301}", "😀🧘‍♀️", "\u{0}", "\u{1f}", "\u{7f}", "\u{2028}", "\"", "\\", "/", "\n\r\t\u{8}\u{c}", "日本", "a b",
        "\u{FFFF}", "\u{10FFFF}", "\u{212A}", "\u{FEFF}", "\u{301}", "🇫🇷", "a typical coaching reply ",
    ]

    mutating func text() -> String {
        (0..<Int.random(in: 0...5, using: &random)).map { _ in
            if Int.random(in: 0..<6, using: &random) == 0 {
                // Any scalar but a surrogate: ASCII, two-, three- and four-byte UTF-8.
                let ranges: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
                return String(Unicode.Scalar(UInt32.random(in: ranges.randomElement(using: &random)!, using: &random))!)
            }
            return Self.pieces.randomElement(using: &random)!
        }.joined()
    }

    static let numbers: [Double] = [
        0, -0.0, 1, -1, -3, 1.5, -2.25, 0.1, 1e-7, 1e20, -1e20, 1e300, -1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, .leastNormalMagnitude, 123_456_789_012.5, 9_007_199_254_740_992, 9_007_199_254_740_994, 1e15,
        999_999_999_999_999, 1e16, 12_345_678_901_234_567_168, .pi, .ulpOfOne, 4_503_599_627_370_495.5,
    ]

    mutating func number() -> Double {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return Self.numbers.randomElement(using: &random)!
        case 1: return Double(Int64.random(in: -1_000_000_000...1_000_000_000, using: &random))
        case 2: return Double.random(in: -1e6...1e6, using: &random)
        default:
            // Any finite double, to exercise the slow path of number parsing.
            while true {
                let value = Double(bitPattern: random.next())
                if value.isFinite { return value }
            }
        }
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &random) {
        case 0: return .string(text())
        case 1: return .number(number())
        case 2: return .bool(Bool.random(using: &random))
        case 3: return .null
        case 4: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth: depth + 1) })
        default: return .object(metadata(depth: depth + 1))
        }
    }

    mutating func metadata(depth: Int = 0) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...3, using: &random) { result[text()] = value(depth: depth) }
        return result
    }

    mutating func date() -> Date {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return Date(timeIntervalSince1970: Double(Int64.random(in: 1_700_000_000_000...1_900_000_000_000, using: &random)) / 1000)
        case 1: return Date(timeIntervalSince1970: Double(Int64.random(in: -62_167_219_200_000...253_402_300_799_999, using: &random)) / 1000)
        case 2: return Timestamp.date(milliseconds: Int64.random(in: -2_251_799_813_685_248...2_251_799_813_685_248, using: &random))  // numbers beyond 9999
        default: return [Date.distantPast, .distantFuture, Date(timeIntervalSince1970: 1e300), Date(timeIntervalSince1970: -.infinity)].randomElement(using: &random)!
        }
    }

    mutating func message() -> ChatMessage {
        ChatMessage(
            role: [.user, .assistant, .system, "tool", ChatMessage.Role(rawValue: text())].randomElement(using: &random)!, content: text(),
            timestamp: date(), metadata: Bool.random(using: &random) ? [:] : metadata())
    }

    mutating func identity() -> Identity {
        Identity(
            id: text(), statement: text(), status: [.exploring, .committed, "paused", Identity.Status(rawValue: text())].randomElement(using: &random)!,
            supportingActions: (0..<Int.random(in: 0...2, using: &random)).map { _ in text() }, createdAt: date())
    }

    mutating func profile() -> UserProfile {
        UserProfile(
            preferredName: Bool.random(using: &random) ? nil : text(), timeZone: Bool.random(using: &random) ? nil : text(),
            locale: Bool.random(using: &random) ? nil : text(), goals: (0..<Int.random(in: 0...2, using: &random)).map { _ in text() },
            values: (0..<Int.random(in: 0...2, using: &random)).map { _ in text() }, attributes: metadata())
    }

    mutating func context() -> CoachContext {
        CoachContext(
            userID: text() + "u", currentState: Bool.random(using: &random) ? .introduction : CoachingState(rawValue: text()),
            conversationHistory: (0..<Int.random(in: 0...6, using: &random)).map { _ in message() },
            consolidatedSummary: Bool.random(using: &random) ? nil : text(), userProfile: Bool.random(using: &random) ? UserProfile() : profile(),
            identities: (0..<Int.random(in: 0...2, using: &random)).map { _ in identity() }, metadata: metadata())
    }

    mutating func sequence() -> UInt64 {
        Bool.random(using: &random) ? UInt64.random(in: 1...1000, using: &random) : random.next()
    }

    mutating func event() -> JournalEvent {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return .contextReplaced(context())
        case 1: return .messagesAppended((0..<Int.random(in: 0...3, using: &random)).map { _ in message() })
        case 2: return .historyReplaced((0..<Int.random(in: 0...3, using: &random)).map { _ in message() })
        case 3: return .historyTruncated(Bool.random(using: &random) ? Int.random(in: 0...100, using: &random) : Int.random(in: 0...Int.max, using: &random))
        case 4: return .stateChanged(CoachingState(rawValue: text()))
        case 5: return .summaryChanged(Bool.random(using: &random) ? nil : text())
        case 6: return .profileChanged(profile())
        case 7: return .identitiesChanged((0..<Int.random(in: 0...2, using: &random)).map { _ in identity() })
        case 8: return .metadataSet(metadata())
        default: return .metadataRemoved((0..<Int.random(in: 0...3, using: &random)).map { _ in text() })
        }
    }
}

/// Writes model values as a person or another program might: members in any order, unknown
/// members added, defaults left out or written as `null` where the `Decodable` conformances
/// allow it, strings with any escape JSON has, numbers in any spelling, any whitespace. Keys of
/// model objects and event types stay plain: the reader declines escaped ones by design.
struct LooseWriter {
    var random: SeededRandom
    var bytes: [UInt8] = []

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func raw(_ text: String) { bytes += Array(text.utf8) }

    mutating func space() {
        if Int.random(in: 0..<3, using: &random) == 0 { raw([" ", "\n", "\t", "\r\n", "  \n    "].randomElement(using: &random)!) }
    }

    mutating func string(_ value: String) {
        raw("\"")
        for scalar in value.unicodeScalars {
            let v = scalar.value
            let short: [UInt32: String] = [0x22: #"\""#, 0x5C: #"\\"#, 0x08: #"\b"#, 0x0C: #"\f"#, 0x0A: #"\n"#, 0x0D: #"\r"#, 0x09: #"\t"#, 0x2F: #"\/"#]
            let mustEscape = v < 0x20 || v == 0x22 || v == 0x5C
            let choice = Int.random(in: 0..<8, using: &random)
            if let escape = short[v], mustEscape || choice == 0 {
                raw(escape)
            } else if mustEscape || choice == 1 {
                // \uXXXX in either case, a surrogate pair beyond the BMP.
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16)
                    let padded = String(repeating: "0", count: 4 - hex.count) + hex
                    raw("\\u" + (Bool.random(using: &random) ? padded.uppercased() : padded))
                }
            } else {
                raw(String(scalar))
            }
        }
        raw("\"")
    }

    /// `value` spelled one of the ways that read back as the same `Double`.
    mutating func number(_ value: Double) {
        if value == value.rounded(), abs(value) < 1e15, Bool.random(using: &random) {
            let integer = Int64(value)
            let sign = value.sign == .minus ? "-" : ""
            let digits = String(integer.magnitude)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: raw(sign + digits)
            case 1: raw(sign + digits + ".0")
            case 2: raw(sign + digits + "e0")
            default: raw(integer == 0 ? sign + "0E+5" : sign + digits + "00E-2")
            }
        } else {
            // Swift's shortest round-tripping form (`1e-07`, `5e-324`, `1.7976931348623157e+308`).
            raw("\(value)")
        }
    }

    mutating func value(_ value: JSONValue) {
        space()
        switch value {
        case .string(let s): string(s)
        case .number(let n): number(n)
        case .bool(let b): raw(b ? "true" : "false")
        case .null: raw("null")
        case .array(let values): array(values) { w, v in w.value(v) }
        case .object(let values): object(values)
        }
        space()
    }

    /// Any JSON value, for unknown members.
    mutating func unknownValue() {
        var g = ModelGenerator(seed: random.next())
        value(g.value(depth: 1))
    }

    mutating func array<T>(_ values: [T], _ element: (inout Self, T) -> Void) {
        raw("[")
        space()
        for (i, v) in values.enumerated() {
            if i > 0 { raw(",") }
            space()
            element(&self, v)
            space()
        }
        raw("]")
    }

    mutating func object(_ values: [String: JSONValue]) {
        members(values.map { key, v in (key, { (w: inout Self) in w.value(v) }) }, isModelObject: false)
    }

    /// Writes the members in a random order. A model object's keys are plain, and unknown
    /// members are mixed in.
    mutating func members(_ members: [(String, (inout Self) -> Void)], isModelObject: Bool = true) {
        var all = members
        if isModelObject {
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                all.append(("zz" + String(Int.random(in: 0...999, using: &random)), { w in w.unknownValue() }))
            }
        }
        all.shuffle(using: &random)
        raw("{")
        space()
        for (i, (key, write)) in all.enumerated() {
            if i > 0 { raw(",") }
            space()
            if isModelObject { raw("\"\(key)\"") } else { string(key) }
            space()
            raw(":")
            space()
            write(&self)
            space()
        }
        raw("}")
    }

    /// An optional member: left out, `null`, or written, when `value` is its default.
    mutating func optional(_ key: String, isDefault: Bool, _ write: @escaping (inout Self) -> Void) -> [(String, (inout Self) -> Void)] {
        guard isDefault else { return [(key, write)] }
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return []
        case 1: return [(key, { w in w.raw("null") })]
        default: return [(key, write)]
        }
    }

    /// A missing optional string: left out or `null`.
    mutating func optionalNull(_ key: String) -> [(String, (inout Self) -> Void)] {
        Bool.random(using: &random) ? [] : [(key, { w in w.raw("null") })]
    }

    mutating func timestamp(_ date: Date) {
        let ms = Timestamp.milliseconds(date)
        if let text = Timestamp.text(milliseconds: ms), Bool.random(using: &random) { raw("\"\(text)\"") } else { raw(String(ms)) }
    }

    mutating func message(_ m: ChatMessage) {
        var list: [(String, (inout Self) -> Void)] = [
            ("role", { w in w.string(m.role.rawValue) }), ("content", { w in w.string(m.content) }), ("timestamp", { w in w.timestamp(m.timestamp) }),
        ]
        list += optional("metadata", isDefault: m.metadata.isEmpty) { w in w.object(m.metadata) }
        members(list)
    }

    mutating func identity(_ i: Identity) {
        var list: [(String, (inout Self) -> Void)] = [
            ("id", { w in w.string(i.id) }), ("statement", { w in w.string(i.statement) }), ("createdAt", { w in w.timestamp(i.createdAt) }),
        ]
        list += optional("status", isDefault: i.status == .exploring) { w in w.string(i.status.rawValue) }
        list += optional("supportingActions", isDefault: i.supportingActions.isEmpty) { w in w.array(i.supportingActions) { w, s in w.string(s) } }
        members(list)
    }

    mutating func profile(_ p: UserProfile) {
        var list: [(String, (inout Self) -> Void)] = []
        list += p.preferredName.map { v in [("preferredName", { (w: inout Self) in w.string(v) })] } ?? optionalNull("preferredName")
        list += p.timeZone.map { v in [("timeZone", { (w: inout Self) in w.string(v) })] } ?? optionalNull("timeZone")
        list += p.locale.map { v in [("locale", { (w: inout Self) in w.string(v) })] } ?? optionalNull("locale")
        list += optional("goals", isDefault: p.goals.isEmpty) { w in w.array(p.goals) { w, s in w.string(s) } }
        list += optional("values", isDefault: p.values.isEmpty) { w in w.array(p.values) { w, s in w.string(s) } }
        list += optional("attributes", isDefault: p.attributes.isEmpty) { w in w.object(p.attributes) }
        members(list)
    }

    mutating func context(_ c: CoachContext) {
        var list: [(String, (inout Self) -> Void)] = [("userID", { w in w.string(c.userID) })]
        list += optional("currentState", isDefault: c.currentState == .introduction) { w in w.string(c.currentState.rawValue) }
        list += optional("conversationHistory", isDefault: c.conversationHistory.isEmpty) { w in w.array(c.conversationHistory) { w, m in w.message(m) } }
        list += c.consolidatedSummary.map { v in [("consolidatedSummary", { (w: inout Self) in w.string(v) })] } ?? optionalNull("consolidatedSummary")
        list += optional("userProfile", isDefault: c.userProfile == UserProfile()) { w in w.profile(c.userProfile) }
        list += optional("identities", isDefault: c.identities.isEmpty) { w in w.array(c.identities) { w, i in w.identity(i) } }
        list += optional("metadata", isDefault: c.metadata.isEmpty) { w in w.object(c.metadata) }
        members(list)
    }

    mutating func event(_ e: JournalEvent) {
        var list: [(String, (inout Self) -> Void)] = [("type", { w in w.raw("\"\(e.typeName)\"") })]
        switch e {
        case .contextReplaced(let c): list.append(("value", { w in w.context(c) }))
        case .messagesAppended(let m), .historyReplaced(let m): list.append(("value", { w in w.array(m) { w, m in w.message(m) } }))
        case .historyTruncated(let n): list.append(("value", { w in w.raw(String(n)) }))
        case .stateChanged(let s): list.append(("value", { w in w.string(s.rawValue) }))
        case .summaryChanged(let s):
            if let s { list.append(("value", { w in w.string(s) })) } else { list += optionalNull("value") }
        case .profileChanged(let p): list.append(("value", { w in w.profile(p) }))
        case .identitiesChanged(let i): list.append(("value", { w in w.array(i) { w, i in w.identity(i) } }))
        case .metadataSet(let m): list.append(("value", { w in w.object(m) }))
        case .metadataRemoved(let k): list.append(("value", { w in w.array(k) { w, s in w.string(s) } }))
        }
        members(list)
    }

    mutating func record(sequence: UInt64, events: [JournalEvent]) {
        members([
            ("seq", { w in w.raw(String(sequence)) }), ("events", { w in w.array(events) { w, e in w.event(e) } }),
            ("crc", { w in w.raw("\"0badc0de\"") }),
        ])
    }

    mutating func snapshotBody(_ context: CoachContext, sequence: UInt64, revision: String?) {
        var list: [(String, (inout Self) -> Void)] = [
            ("checksum", { w in w.raw("\"0badc0de\"") }), ("context", { w in w.context(context) }), ("format", { w in w.raw("1") }),
            ("sequence", { w in w.raw(String(sequence)) }),
        ]
        list += revision.map { v in [("revision", { (w: inout Self) in w.string(v) })] } ?? optionalNull("revision")
        members(list)
    }
}
