import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// The building blocks under the store: CRC-32C, SHA-256, the timestamp text and the error texts.
@Suite("Support: checksums, hashes, timestamps, error texts")
struct SupportTests {
    // MARK: CRC-32C

    @Test(
        "CRC-32C matches published check values (RFC 3720 B.4, the Castagnoli check string)",
        arguments: [
            ([UInt8](), 0x0000_0000 as UInt32),
            (Array("a".utf8), 0xC1D0_4330),
            (Array("123456789".utf8), 0xE306_9283),
            ([UInt8](repeating: 0x00, count: 32), 0x8A91_36AA),
            ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
            (Array(0...31), 0x46DD_794E),
            (Array((0...31).reversed()), 0x113F_DB5C),
            (Array("The quick brown fox jumps over the lazy dog".utf8), 0x2262_0404),
        ] as [([UInt8], UInt32)])
    func crcCheckValues(_ bytes: [UInt8], _ expected: UInt32) {
        #expect(CRC32C.checksum(bytes) == expected)
    }

    @Test("CRC-32C of a whole equals the CRC of its tail continued from the CRC of its head")
    func crcContinuation() {
        var random = SeededRandom(seed: 1)
        for _ in 0..<50 {
            let bytes = random.bytes(Int.random(in: 0...200, using: &random))
            let whole = CRC32C.checksum(bytes)
            for split in 0...bytes.count {
                #expect(CRC32C.checksum(bytes[split...], continuing: CRC32C.checksum(bytes[..<split])) == whole)
            }
        }
    }

    @Test("the slicing-by-8 CRC-32C agrees with the bit-at-a-time definition, for every length and any collection")
    func crcMatchesDefinition() {
        var random = SeededRandom(seed: 2)
        for length in 0...300 {
            let bytes = random.bytes(length)
            let expected = bitwiseCRC32C(bytes)
            #expect(CRC32C.checksum(bytes) == expected, "length \(length)")
            #expect(CRC32C.checksum(bytes.reversed().reversed()) == expected, "non-contiguous, length \(length)")
        }
    }

    @Test("the CPU's CRC-32C instruction and the tables agree with the definition, at every length and alignment")
    func crcHardwareMatchesSoftware() {
        var random = SeededRandom(seed: 4)
        let bytes = random.bytes(600)
        bytes.withUnsafeBytes { all in
            for start in 0..<9 {
                for length in 0...(all.count - start) where length < 80 || length % 37 == 0 {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    let expected = bitwiseCRC32C(Array(slice))
                    let seed = UInt32(truncatingIfNeeded: length &* 2_654_435_761)
                    #expect(CRC32C.softwareChecksum(slice) == expected, "software, start \(start), length \(length)")
                    #expect(CRC32C.softwareChecksum(slice, continuing: seed) == bitwiseCRC32C(Array(slice), continuing: seed))
                    if Platform.hasHardwareCRC32C {
                        #expect(Platform.hardwareCRC32C(slice, continuing: 0) == expected, "hardware, start \(start), length \(length)")
                        #expect(Platform.hardwareCRC32C(slice, continuing: seed) == bitwiseCRC32C(Array(slice), continuing: seed))
                    }
                }
            }
        }
    }

    #if arch(x86_64)
    @Test("on x86-64 the CRC-32C instruction is found (SSE 4.2 is in every x86-64 CPU since 2008), so the tests above ran it")
    func crcHardwareFound() {
        #expect(Platform.hasHardwareCRC32C)
    }
    #endif

    // MARK: Locks

    @Test("Locked: threads that increment one value under its lock lose no increment, and copies share the value")
    func lockedExcludes() {
        let counter = Locked((count: 0, inside: false, overlaps: 0))
        let copy = counter
        let threads = 8, increments = 50_000
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<increments {
                copy.withLock { value in
                    // Two holders at once would see each other's mark.
                    if value.inside { value.overlaps += 1 }
                    value.inside = true
                    value.count += 1
                    value.inside = false
                }
            }
        }
        #expect(counter.withLock { $0.count } == threads * increments)
        #expect(counter.withLock { $0.overlaps } == 0)
    }

    // MARK: Exact strings

    @Test("ExactString: equal bytes are equal and hash alike; canonically equivalent but different bytes are not equal")
    func exactStrings() {
        let pairs: [(String, String, Bool)] = [
            ("", "", true), ("user-1", "user-1", true), ("user-1", "user-2", false), ("user", "user-1", false),
            ("caf\u{e9}", "cafe\u{301}", false), ("😀", "😀", true), (String(repeating: "a", count: 100), String(repeating: "a", count: 100), true),
        ]
        for (a, b, equal) in pairs {
            #expect((ExactString(a) == ExactString(b)) == equal, "\(a.debugDescription) vs \(b.debugDescription)")
            if equal { #expect(ExactString(a).hashValue == ExactString(b).hashValue) }
        }
        // A bridged, non-contiguous string compares by the same bytes.
        let bridged = NSString(string: "caf\u{e9}-ü") as String
        #expect(ExactString(bridged) == ExactString("caf\u{e9}-ü"))
        #expect(ExactString(bridged).hashValue == ExactString("caf\u{e9}-ü").hashValue)
        #expect(Set(["caf\u{e9}", "cafe\u{301}", "caf\u{e9}"].map(ExactString.init)).count == 2)
    }

    @Test("CRC-32C hex is eight lower-case digits and parses back; anything else is refused")
    func crcHex() {
        #expect(String(decoding: CRC32C.hex(0xE306_9283), as: UTF8.self) == "e3069283")
        #expect(String(decoding: CRC32C.hex(0), as: UTF8.self) == "00000000")
        #expect(String(decoding: CRC32C.hex(.max), as: UTF8.self) == "ffffffff")
        var random = SeededRandom(seed: 3)
        for _ in 0..<1000 {
            let value = UInt32.random(in: 0...UInt32.max, using: &random)
            #expect(CRC32C.parseHex(CRC32C.hex(value)) == value)
        }
        for bad in ["E3069283", "e306928", "e30692830", "e306928g", " e306928", "", "0x069283", "e306-283"] {
            #expect(CRC32C.parseHex(Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    // MARK: SHA-256

    @Test(
        "SHA-256 matches the FIPS 180-2 examples and padding-boundary lengths",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            ),
            (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
            (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
            (String(repeating: "a", count: 63), "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
            (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
            (String(repeating: "a", count: 119), "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
            (String(repeating: "a", count: 120), "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
        ])
    func sha256Vectors(_ message: String, _ digest: String) {
        #expect(hexString(SHA256.digest(Array(message.utf8))) == digest)
    }

    @Test("SHA-256 of one million 'a' (FIPS 180-2, appendix B.3)")
    func sha256Million() {
        let digest = SHA256.digest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(hexString(digest) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    // MARK: Timestamp text

    @Test(
        "timestamps are written as ISO 8601 UTC with three fraction digits",
        arguments: [
            (0 as Int64, "1970-01-01T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (1_795_341_600_123, "2026-11-22T10:00:00.123Z"),
            (951_827_696_789, "2000-02-29T12:34:56.789Z"),
            (-2_203_891_200_000, "1900-03-01T00:00:00.000Z"),
            (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
            (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ])
    func timestampText(_ milliseconds: Int64, _ text: String) {
        #expect(Timestamp.text(milliseconds: milliseconds) == text)
        #expect(Timestamp.milliseconds(text: text) == milliseconds)
    }

    @Test("there is no text for dates outside years 0000–9999 (the model writes them as numbers)")
    func timestampTextRange() {
        #expect(Timestamp.text(milliseconds: 253_402_300_800_000) == nil)
        #expect(Timestamp.text(milliseconds: -62_167_219_200_001) == nil)
        #expect(Timestamp.text(milliseconds: .max) == nil)
        #expect(Timestamp.text(milliseconds: .min) == nil, "no overflow near Int64.min")
        #expect(Timestamp.text(milliseconds: .min + 86_400_000) == nil)
    }

    @Test("every millisecond of years 0000–9999 survives text and back")
    func timestampTextRoundTrip() {
        var random = SeededRandom(seed: 4)
        for _ in 0..<20_000 {
            let ms = Int64.random(in: -62_167_219_200_000...253_402_300_799_999, using: &random)
            let text = Timestamp.text(milliseconds: ms)
            #expect(text.flatMap(Timestamp.milliseconds(text:)) == ms, "\(ms) → \(text ?? "nil")")
        }
    }

    @Test(
        "malformed timestamp text is refused",
        arguments: [
            "", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000", "1970-01-01T00:00:00.000z",
            "1970-01-01 00:00:00.000Z", "1970-01-01T00:00:00,000Z", "1970-01-01T00:00:00.000+00:00",
            "1970-01-01T00:00:00.0000Z", "1970-1-01T00:00:00.000Z", "1970-13-01T00:00:00.000Z",
            "1970-00-01T00:00:00.000Z", "1970-01-00T00:00:00.000Z", "1970-01-32T00:00:00.000Z",
            "1970-04-31T00:00:00.000Z", "2023-02-29T00:00:00.000Z", "1900-02-29T00:00:00.000Z",
            "1970-01-01T24:00:00.000Z", "1970-01-01T00:60:00.000Z", "2016-12-31T23:59:60.000Z",
            "-970-01-01T00:00:00.000Z", "+970-01-01T00:00:00.000Z", "197a-01-01T00:00:00.000Z",
            "1970-01-01T00:00:00.00aZ", "１９７０-01-01T00:00:00.000Z", " 1970-01-01T00:00:00.000Z",
        ])
    func timestampTextRejects(_ text: String) {
        #expect(Timestamp.milliseconds(text: text) == nil)
    }

    // MARK: StateStoreError

    static let errors: [(StateStoreError, [String])] = [
        (.invalidUserID("", reason: "a user id must not be empty"), ["''", "must not be empty"]),
        (.readOnly(directory: "/var/lib/coach"), ["/var/lib/coach", "read-only"]),
        (.locked(directory: "/var/lib/coach"), ["/var/lib/coach", "already open for writing"]),
        (.closed(directory: "/var/lib/coach"), ["/var/lib/coach", "closed"]),
        (.notAStore(directory: "/tmp/x", reason: "it has no store.json"), ["/tmp/x", "it has no store.json"]),
        (.unsupportedFormat(file: "/s/store.json", found: 3, supported: 1), ["/s/store.json", "version 3", "up to version 1"]),
        (
            .corruptJournal(userID: "ana", file: "/s/users/ana/journal.jsonl", line: 7, reason: "sequence gap: expected 2, found 3"),
            ["'ana'", "/s/users/ana/journal.jsonl", "line 7", "sequence gap"]
        ),
        (
            .corruptSnapshot(userID: "ana", file: "/s/users/ana/snapshot.json", reason: "checksum mismatch"),
            ["'ana'", "/s/users/ana/snapshot.json", "checksum mismatch"]
        ),
        (.folderConflict(userID: "a", folder: "/s/users/x~1f", storedUserID: "b"), ["'a'", "/s/users/x~1f", "'b'"]),
        (.encodingFailed(userID: "ana", reason: "metadata.x: Unable to encode Double.nan"), ["'ana'", "Double.nan"]),
        (.io(operation: "sync", path: "/s/users/ana/journal.jsonl", errno: ENOSPC, reason: "No space left on device"), ["sync", "/s/users/ana/journal.jsonl", "No space left"]),
        (.invalidConfiguration("ftp://x", reason: "the scheme 'ftp' is not supported"), ["'ftp://x'", "'ftp'"]),
        (.noSuchUser(userID: "dave", directory: "/s"), ["'dave'", "/s"]),
        (.notRepairable(userID: "ana", reason: "the snapshot is damaged"), ["'ana'", "the snapshot is damaged"]),
        (.notAnExport(reason: "it is empty"), ["export", "it is empty"]),
    ]

    @Test("every error reads as one sentence naming what it concerns", arguments: errors)
    func errorDescriptions(_ error: StateStoreError, _ mentions: [String]) {
        let text = error.description
        #expect(text.first?.isUppercase == true || text.first == "/", "\(text)")
        #expect(text.hasSuffix("."), "\(text)")
        #expect(!text.contains("Optional("), "\(text)")
        #expect(!text.contains("StateStoreError"), "\(text)")
        for mention in mentions { #expect(text.contains(mention), "\(text) should mention \(mention)") }
        #expect(error.errorDescription == text)
        #expect((error as any Error).localizedDescription == text)
    }

    @Test("user ids in error texts have control characters escaped and are cut after 120 characters")
    func errorQuotesUserIDs() {
        let hostile = StateStoreError.corruptSnapshot(userID: "nul\u{0}line\nbell\u{7}", file: "/f", reason: "r")
        #expect(hostile.description.contains(#"'nul\0line\nbell\u{07}'"#), "\(hostile)")
        #expect(!hostile.description.unicodeScalars.contains { $0.properties.generalCategory == .control })
        let long = StateStoreError.invalidUserID(String(repeating: "x", count: 5000), reason: "r")
        #expect(long.description.contains("'" + String(repeating: "x", count: 120) + "…'"))
        #expect(long.description.count < 200)
    }

    @Test("isDiskFull is true exactly for ENOSPC and EDQUOT")
    func diskFull() {
        func io(_ code: Int32) -> StateStoreError { .io(operation: "write", path: "/f", errno: code, reason: "") }
        #expect(io(ENOSPC).isDiskFull)
        #expect(io(EDQUOT).isDiskFull)
        #expect(!io(EIO).isDiskFull)
        #expect(!StateStoreError.readOnly(directory: "/").isDiskFull)
    }
}

/// The CRC-32C definition, one bit at a time: the oracle the table-driven version is checked against.
private func bitwiseCRC32C(_ bytes: [UInt8], continuing previous: UInt32 = 0) -> UInt32 {
    var crc: UInt32 = ~previous
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
    }
    return ~crc
}

private func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}
