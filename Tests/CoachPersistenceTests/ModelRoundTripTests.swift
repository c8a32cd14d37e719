import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// Encode → decode gives back an equal value, byte for byte in every string, for every model
/// type, with the JSON configuration the store writes its files with.
@Suite("Model round trips")
struct ModelRoundTripTests {
    // MARK: Every type

    @Test("every model type round-trips to an equal value and re-encodes to the same bytes", arguments: [false, true])
    func everyType(pretty: Bool) throws {
        try expectRoundTrip(fullContext(), pretty: pretty)
        try expectRoundTrip(CoachContext(userID: "u"), pretty: pretty)
        try expectRoundTrip(fullContext().conversationHistory[1], pretty: pretty)
        try expectRoundTrip(fullContext().identities[0], pretty: pretty)
        try expectRoundTrip(fullContext().userProfile, pretty: pretty)
        try expectRoundTrip(UserProfile(), pretty: pretty)
        try expectRoundTrip(Self.everyJSONValue, pretty: pretty)
        for state in CoachingState.standardFlow { try expectRoundTrip(state, pretty: pretty) }
        for role in [ChatMessage.Role.user, .assistant, .system] { try expectRoundTrip(role, pretty: pretty) }
        for status in [Identity.Status.exploring, .committed, .embodied, .archived] { try expectRoundTrip(status, pretty: pretty) }
    }

    @Test("raw values this version does not know round-trip unchanged")
    func unknownRawValues() throws {
        let text = """
            {"userID": "u", "currentState": "mindfulnessRetreat",
             "conversationHistory": [{"role": "tool", "content": "{}", "timestamp": "2026-11-22T10:00:00.000Z"}],
             "identities": [{"id": "i", "statement": "s", "status": "paused", "createdAt": "2026-11-22T10:00:00.000Z"}]}
            """
        let context = try decode(CoachContext.self, text)
        #expect(context.currentState == CoachingState(rawValue: "mindfulnessRetreat"))
        #expect(context.conversationHistory[0].role.rawValue == "tool")
        #expect(context.identities[0].status.rawValue == "paused")
        let again = try json(context)
        for name in [#""mindfulnessRetreat""#, #""role":"tool""#, #""status":"paused""#] { #expect(again.contains(name)) }
        try expectRoundTrip(context)
    }

    // MARK: Dates

    @Test("any date of years 0000–9999, with any sub-millisecond part, round-trips once normalized")
    func randomDates() throws {
        var random = SeededRandom(seed: 10)
        for _ in 0..<5_000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -62_167_219_200...253_402_300_799.999, using: &random))
            try expectNormalizedRoundTrip(date)
        }
    }

    @Test("dates from Date() round-trip")
    func nowDates() throws {
        for _ in 0..<1_000 {
            let message = ChatMessage(role: .user, content: "now")
            try expectRoundTrip(message)
            #expect(abs(message.timestamp.timeIntervalSinceNow) < 60)
        }
    }

    @Test("far past and far future dates round-trip, as text in years 0000–9999 and as milliseconds beyond")
    func farDates() throws {
        let asText = [
            Date.distantPast, .distantFuture, Date(timeIntervalSince1970: 0),
            Timestamp.date(milliseconds: -62_167_219_200_000), Timestamp.date(milliseconds: 253_402_300_799_999),
        ]
        for date in asText {
            try expectNormalizedRoundTrip(date)
            #expect(try json(ChatMessage(role: .user, content: "", timestamp: date)).contains(#""timestamp":""#))
        }
        var random = SeededRandom(seed: 11)
        let beyond = [Timestamp.date(milliseconds: -62_167_219_200_001), Timestamp.date(milliseconds: 253_402_300_800_000)]
            + (0..<2_000).map { _ in Date(timeIntervalSince1970: Double.random(in: -2.2e12...2.2e12, using: &random)) }
        for date in beyond { try expectNormalizedRoundTrip(date) }
        #expect(try json(ChatMessage(role: .user, content: "", timestamp: beyond[1])).contains(#""timestamp":253402300800000"#))
    }

    @Test("non-finite and out-of-range dates are clamped to ±2^51 ms and then round-trip")
    func clampedDates() throws {
        let limit = Timestamp.date(milliseconds: 2_251_799_813_685_248)
        let negativeLimit = Timestamp.date(milliseconds: -2_251_799_813_685_248)
        #expect(ChatMessage(role: .user, content: "", timestamp: Date(timeIntervalSince1970: .infinity)).timestamp == limit)
        #expect(ChatMessage(role: .user, content: "", timestamp: Date(timeIntervalSince1970: 1e300)).timestamp == limit)
        #expect(ChatMessage(role: .user, content: "", timestamp: Date(timeIntervalSince1970: -.infinity)).timestamp == negativeLimit)
        for date in [limit, negativeLimit, Date(timeIntervalSince1970: .nan)] { try expectNormalizedRoundTrip(date) }
    }

    @Test("normalization is a fixed point for every date, however far out")
    func normalizationFarOut() throws {
        // Found by this suite: between 2^51.97 and 2^52 ms from 1970 (about 139,000–142,700
        // years away) `Double(ms) / 1000 * 1000` can round to a neighbouring millisecond, which
        // is why dates are clamped to ±2^51 ms.
        var random = SeededRandom(seed: 5)
        let far = [Timestamp.date(milliseconds: -4_467_321_805_192_897)]
            + (0..<5_000).map { _ in Date(timeIntervalSince1970: Double.random(in: -1e13...1e13, using: &random)) }
        for date in far {
            let normalized = Timestamp.normalized(date)
            #expect(Timestamp.normalized(normalized) == normalized)
            let message = ChatMessage(role: .user, content: "", timestamp: date)
            #expect(try roundTrip(message) == message)
        }
    }

    @Test("timestamps are rounded to the millisecond on init and whenever they are set")
    func normalizedOnInitAndSet() {
        var message = ChatMessage(role: .user, content: "", timestamp: Date(timeIntervalSince1970: 1.0004))
        #expect(message.timestamp == Timestamp.date(milliseconds: 1000))
        message.timestamp = Date(timeIntervalSince1970: 1.0006)
        #expect(message.timestamp == Timestamp.date(milliseconds: 1001))
        var identity = Identity(id: "i", statement: "s", createdAt: Date(timeIntervalSince1970: -2.0004))
        #expect(identity.createdAt == Timestamp.date(milliseconds: -2000))
        identity.createdAt = Date(timeIntervalSince1970: 7.12345)
        #expect(identity.createdAt == Timestamp.date(milliseconds: 7123))
        var context = CoachContext(userID: "u", conversationHistory: [message])
        context.conversationHistory[0].timestamp = Date(timeIntervalSince1970: 9.9999)
        #expect(context.conversationHistory[0].timestamp == Timestamp.date(milliseconds: 10_000))
        let now = ChatMessage(role: .user, content: "").timestamp
        #expect(Timestamp.normalized(now) == now)
    }

    // MARK: Unicode

    static let awkwardStrings: [String] = [
        "", "plain", "caf\u{E9}", "cafe\u{301}", "\u{301}", "\u{301}\u{302}\u{20DD}", "🧘‍♀️🏃🏽‍♂️🇵🇹👩‍👩‍👧‍👦",
        "\u{0}", "a\u{0}b\u{0}", "\u{2028}\u{2029}", "line\nbreak\r\nwindows\rold", "\t\u{1}\u{8}\u{C}\u{1F}\u{7F}\u{80}\u{9F}",
        #""quoted" \ back\slash / slash"#, "\u{FEFF}bom", "\u{202E}gnp.exe", "\u{FFFD}\u{FFFF}\u{10FFFF}\u{E000}",
        "日本語のユーザー", "Ω\u{2126}", "</script><!--", #"{"seq":1,"crc":"00000000"}"#, " ", "\u{200B}",
    ]

    @Test("any Unicode in every string field round-trips byte for byte", arguments: awkwardStrings)
    func unicodeEverywhere(_ text: String) throws {
        let context = contextWithEveryField(text)
        let back = try expectRoundTrip(context)
        #expect(Array(back.userID.utf8) == Array(text.utf8))
        #expect(Array(back.conversationHistory[0].content.utf8) == Array(text.utf8))
        #expect(back.consolidatedSummary.map { Array($0.utf8) } == Array(text.utf8))
        #expect(Array(back.identities[0].statement.utf8) == Array(text.utf8))
    }

    @Test("random strings of any Unicode scalars round-trip byte for byte")
    func randomUnicode() throws {
        var random = SeededRandom(seed: 12)
        for _ in 0..<300 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...40, using: &random) {
                let plane = Int.random(in: 0...3, using: &random)
                let upper: UInt32 = plane == 0 ? 0x7F : plane == 1 ? 0x7FF : plane == 2 ? 0xFFFF : 0x10FFFF
                if let scalar = Unicode.Scalar(UInt32.random(in: 0...upper, using: &random)) { text.append(scalar) }
            }
            let back = try expectRoundTrip(contextWithEveryField(String(text)))
            #expect(Array(back.conversationHistory[0].content.utf8) == Array(String(text).utf8))
        }
    }

    @Test("1 MB strings round-trip byte for byte")
    func megabyteStrings() throws {
        let chunk = "a\u{0}é🧘‍♀️\u{2028}\n\"\\\u{301}日本"
        let big = String(repeating: chunk, count: 1_048_576 / chunk.utf8.count + 1)
        #expect(big.utf8.count >= 1_048_576)
        var context = CoachContext(userID: "big", consolidatedSummary: big, metadata: ["blob": .string(big)])
        context.conversationHistory = [ChatMessage(role: .user, content: big, timestamp: Date(timeIntervalSince1970: 1))]
        let back = try expectRoundTrip(context)
        #expect(Array(back.conversationHistory[0].content.utf8) == Array(big.utf8))
        #expect(back.consolidatedSummary?.utf8.count == big.utf8.count)
    }

    @Test("non-ASCII text and slashes stay readable in the JSON; only control characters are escaped")
    func readableJSON() throws {
        let text = "café ☕️ 日本語 🧘 Ωmega \u{2028} a/b"
        let encoded = try json(contextWithEveryField(text))
        #expect(encoded.contains(text))
        #expect(!encoded.contains("\\u"))
        #expect(!encoded.contains("\\/"))
        let withControls = try json(ChatMessage(role: .user, content: "nul\u{0}\n", timestamp: Date(timeIntervalSince1970: 0)))
        #expect(withControls.contains(#""nul\u0000\n""#))
        #expect(!withControls.utf8.contains(0) && !withControls.utf8.contains(10))
    }

    // MARK: JSONValue

    static let everyJSONValue: JSONValue = [
        "string": "text", "whole": 42, "negative": -7, "fraction": 1.5, "true": true, "false": false, "null": nil,
        "array": [1, "two", [3], ["four": 4]], "object": ["nested": ["deeper": nil]], "emptyArray": [], "emptyObject": [:],
    ]

    @Test("JSONValue literals build the matching cases")
    func jsonValueLiterals() {
        #expect(("s" as JSONValue) == .string("s"))
        #expect((1 as JSONValue) == .number(1))
        #expect((2.5 as JSONValue) == .number(2.5))
        #expect((true as JSONValue) == .bool(true))
        #expect((nil as JSONValue) == .null)
        #expect(([1, "a", nil] as JSONValue) == .array([.number(1), .string("a"), .null]))
        #expect((["k": 1] as JSONValue) == .object(["k": .number(1)]))
        #expect(([] as JSONValue) == .array([]))
        #expect(([:] as JSONValue) == .object([:]))
        #expect(JSONValue(dictionaryLiteral: ("k", 1), ("k", 2)) == .object(["k": .number(2)]))
    }

    @Test(
        "each JSONValue case is written as plain JSON and read back as the same case",
        arguments: [
            (JSONValue.string("x"), #""x""#), (.string("true"), #""true""#), (.number(1), "1"), (.number(-0.0), "0"),
            (.number(1.5), "1.5"), (.number(9_007_199_254_740_992), "9007199254740992"), (.number(1e300), "1e+300"),
            (.bool(true), "true"), (.bool(false), "false"), (.null, "null"), (.array([]), "[]"), (.object([:]), "{}"),
            (["b": [1, true], "a": nil], #"{"a":null,"b":[1,true]}"#),
        ] as [(JSONValue, String)])
    func jsonValueCases(_ value: JSONValue, _ text: String) throws {
        #expect(try json(value) == text)
        #expect(try decode(JSONValue.self, text) == value)
    }

    @Test("every finite Double survives as a JSONValue")
    func jsonValueDoubles() throws {
        var random = SeededRandom(seed: 13)
        var values: [Double] = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .ulpOfOne, 0.1, 1 / 3]
        while values.count < 5_000 {
            let value = Double(bitPattern: random.next())
            if value.isFinite { values.append(value) }
        }
        for value in values {
            #expect(try roundTrip(JSONValue.number(value)) == .number(value), "\(value)")
        }
    }

    @Test("NaN and infinities cannot be encoded, and the file store refuses to save them", arguments: [Double.nan, .infinity, -.infinity])
    func jsonValueNonFinite(_ value: Double) async throws {
        #expect(throws: EncodingError.self) { try JSONCoding.compactEncoder().encode(JSONValue.number(value)) }
        let context = CoachContext(userID: "u", metadata: ["bad": .number(value)])
        #expect(throws: EncodingError.self) { try JSONCoding.prettyEncoder().encode(context) }

        let directory = TemporaryDirectory("nan")
        defer { directory.remove() }
        let store = try FileStateStore(directory: directory.url, options: fastOptions())
        await #expect {
            try await store.saveContext(context)
        } throws: { error in
            guard case .encodingFailed(let userID, let reason) = error as? StateStoreError else { return false }
            return userID == "u" && !reason.isEmpty
        }
        #expect(try await store.loadContext(userID: "u") == nil)
        try await store.close()
    }

    // MARK: Hand-written JSON

    @Test("a context written by hand with only its user id decodes with every default")
    func minimalContext() throws {
        #expect(try decode(CoachContext.self, #"{"userID": "u"}"#) == CoachContext(userID: "u"))
        #expect(try decode(UserProfile.self, "{}") == UserProfile())
        let message = try decode(ChatMessage.self, #"{"role": "user", "content": "hi", "timestamp": "2026-11-22T10:00:00.123Z"}"#)
        #expect(message == ChatMessage(role: .user, content: "hi", timestamp: Timestamp.date(milliseconds: 1_795_341_600_123)))
        #expect(message.metadata.isEmpty)
        let identity = try decode(Identity.self, #"{"id": "i", "statement": "I run", "createdAt": 1795341600123}"#)
        #expect(identity == Identity(id: "i", statement: "I run", createdAt: Timestamp.date(milliseconds: 1_795_341_600_123)))
        #expect(identity.status == .exploring && identity.supportingActions.isEmpty)
    }

    @Test("a full context written by hand, keys in any order and any spacing, decodes as expected")
    func handWrittenContext() throws {
        let text = """
            {
              "metadata": {"plan": "free", "turns": 2, "flags": [true, null]},
              "identities": [
                {"statement": "I am someone who runs", "id": "runner", "status": "committed",
                 "supportingActions": ["run Tuesday"], "createdAt": "2026-01-02T03:04:05.006Z"}
              ],
              "userProfile": {"goals": ["run a 10k"], "preferredName": "Sam", "attributes": {"age": 41}},
              "consolidatedSummary": null,
              "conversationHistory": [
                {"timestamp": "2026-01-02T03:04:05.000Z", "content": "Olá 👋", "role": "assistant",
                 "metadata": {"model": "coach-1"}},
                {"role": "user", "content": "I want to run again.", "timestamp": 1767323046000}
              ],
              "currentState": "identityBrainstorming",
              "userID": "sam"
            }
            """
        let expected = CoachContext(
            userID: "sam", currentState: .identityBrainstorming,
            conversationHistory: [
                ChatMessage(role: .assistant, content: "Olá 👋", timestamp: Timestamp.date(milliseconds: 1_767_323_045_000), metadata: ["model": "coach-1"]),
                ChatMessage(role: .user, content: "I want to run again.", timestamp: Timestamp.date(milliseconds: 1_767_323_046_000)),
            ],
            userProfile: UserProfile(preferredName: "Sam", goals: ["run a 10k"], attributes: ["age": 41]),
            identities: [
                Identity(id: "runner", statement: "I am someone who runs", status: .committed, supportingActions: ["run Tuesday"],
                    createdAt: Timestamp.date(milliseconds: 1_767_323_045_006))
            ],
            metadata: ["plan": "free", "turns": 2, "flags": [true, nil]])
        #expect(try decode(CoachContext.self, text) == expected)
    }

    @Test(
        "hand-written JSON missing a required field or with a malformed timestamp is refused",
        arguments: [
            "{}", #"{"userID": 7}"#, #"{"userID": "u", "currentState": 3}"#,
            #"{"userID": "u", "conversationHistory": [{"role": "user", "content": "hi"}]}"#,
            #"{"userID": "u", "conversationHistory": [{"role": "user", "content": "hi", "timestamp": "2026-11-22T10:00:00Z"}]}"#,
            #"{"userID": "u", "conversationHistory": [{"role": "user", "content": "hi", "timestamp": 1.5}]}"#,
            #"{"userID": "u", "identities": [{"id": "i", "statement": "s"}]}"#,
        ])
    func handWrittenRefused(_ text: String) {
        #expect(throws: DecodingError.self) { try decode(CoachContext.self, text) }
    }

    @Test("empty optional fields are left out of the JSON")
    func encodedForm() throws {
        let message = ChatMessage(role: .user, content: "hi", timestamp: Timestamp.date(milliseconds: 1_795_341_600_123))
        #expect(try json(message) == #"{"content":"hi","role":"user","timestamp":"2026-11-22T10:00:00.123Z"}"#)
        #expect(try !json(CoachContext(userID: "u")).contains("consolidatedSummary"))
    }
}

// MARK: Helpers

/// Encode → decode with the store's own encoders.
private func roundTrip<T: Codable>(_ value: T, pretty: Bool = false) throws -> T {
    let encoder = pretty ? JSONCoding.prettyEncoder() : JSONCoding.compactEncoder()
    return try JSONCoding.decoder().decode(T.self, from: encoder.encode(value))
}

/// Checks that `value` round-trips to an equal value whose encoding is byte-identical (so no
/// string was altered, not even into a canonically equivalent form `==` would accept).
@discardableResult
private func expectRoundTrip<T: Codable & Equatable>(_ value: T, pretty: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    let encoder = pretty ? JSONCoding.prettyEncoder() : JSONCoding.compactEncoder()
    let bytes = try encoder.encode(value)
    let back = try JSONCoding.decoder().decode(T.self, from: bytes)
    #expect(back == value, sourceLocation: sourceLocation)
    #expect(try encoder.encode(back) == bytes, sourceLocation: sourceLocation)
    return back
}

/// Checks that `date` is normalized on init to within half a millisecond, that normalizing
/// again changes nothing, and that messages and identities carrying it round-trip.
private func expectNormalizedRoundTrip(_ date: Date, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let message = ChatMessage(role: .user, content: "", timestamp: date)
    let seconds = date.timeIntervalSince1970
    if abs(seconds) < 9e12 {  // inside the clamp
        #expect(abs(message.timestamp.timeIntervalSince(date)) <= 0.0005 + 2 * seconds.ulp, "\(seconds)", sourceLocation: sourceLocation)
    }
    #expect(Timestamp.normalized(message.timestamp) == message.timestamp, "\(date.timeIntervalSince1970)", sourceLocation: sourceLocation)
    #expect(try roundTrip(message) == message, "\(date.timeIntervalSince1970)", sourceLocation: sourceLocation)
    let identity = Identity(id: "i", statement: "s", createdAt: date)
    #expect(try roundTrip(identity) == identity, "\(date.timeIntervalSince1970)", sourceLocation: sourceLocation)
}

private func json<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try JSONCoding.compactEncoder().encode(value), as: UTF8.self)
}

private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONCoding.decoder().decode(type, from: Data(text.utf8))
}

/// A context with every field set, every kind of `JSONValue`, and every date field.
private func fullContext() -> CoachContext {
    var context = sampleContext("ana", messages: 4)
    context.consolidatedSummary = "Ana wants calmer evenings."
    context.conversationHistory[1].metadata = ["model": "coach-1", "tokens": 42, "cached": true]
    context.conversationHistory.append(ChatMessage(role: .system, content: "Be brief.", timestamp: Date(timeIntervalSince1970: 1_790_000_100.25)))
    context.identities = [
        Identity(
            id: "rester", statement: "I am someone whose evenings are calm", status: .committed,
            supportingActions: ["phone off at 22:00", "tea"], createdAt: Date(timeIntervalSince1970: 1_790_000_000.123))
    ]
    context.userProfile = UserProfile(
        preferredName: "Ana", timeZone: "Europe/Lisbon", locale: "pt-PT", goals: ["sleep before midnight"],
        values: ["health"], attributes: ["age": 34, "pets": ["cat"]])
    context.metadata = ["all": ModelRoundTripTests.everyJSONValue, "plan": "free"]
    return context
}

/// A context holding `text` in every string field, including dictionary keys and raw values.
private func contextWithEveryField(_ text: String) -> CoachContext {
    let date = Date(timeIntervalSince1970: 1_790_000_000)
    let message = ChatMessage(role: .init(rawValue: text), content: text, timestamp: date, metadata: [text: .string(text)])
    return CoachContext(
        userID: text, currentState: CoachingState(rawValue: text), conversationHistory: [message], consolidatedSummary: text,
        userProfile: UserProfile(preferredName: text, timeZone: text, locale: text, goals: [text], values: [text], attributes: [text: .string(text)]),
        identities: [Identity(id: text, statement: text, status: .init(rawValue: text), supportingActions: [text], createdAt: date)],
        metadata: [text: [.string(text), [text: .string(text)]]])
}
