import Foundation

/// `snapshot.json`: a user's context as of a journal sequence number, pretty-printed with
/// sorted keys and protected by a checksum.
///
/// ```
/// {
///   "checksum" : "1a2b3c4d",
///   "context" : { … },
///   "format" : 1,
///   "sequence" : 42
/// }
/// ```
/// `revision` follows `format` when there is one. The checksum line always sits at byte 2 and
/// is 27 bytes long; the checksum is the CRC-32C of the file with that line left out, read with
/// CR LF pairs as LF (so a file converted to CRLF line endings verifies).
struct SnapshotFile: Equatable, Sendable {
    /// The context as of ``sequence``.
    var context: CoachContext
    /// The last journal sequence number the context includes (0: none).
    var sequence: UInt64
    /// The user's revision token as of ``sequence`` (see `ContextRevision`), so that revisions
    /// survive compaction; `nil` in snapshots written before revisions existed.
    var revision: String? = nil

    /// The snapshot format version this code writes and the newest it reads.
    static let currentFormat = 1

    struct Body: Codable {
        var context: CoachContext
        var format: Int
        var revision: String?
        var sequence: UInt64
    }

    private static let checksumLinePrefix = Array(#"  "checksum" : ""#.utf8)
    private static let checksumLineSuffix = Array("\",\n".utf8)
    private static let checksumLineLength = 27

    /// The file's exact bytes: ``JournalJSONWriter`` writes the body compactly and
    /// ``PrettyJSON`` lays it out as `JSONEncoder` would, then the checksum line goes in at byte 2.
    /// A value JSON cannot hold (NaN or infinity in metadata) throws `JSONEncoder`'s
    /// `EncodingError`, which names where in the context it is.
    func encoded() throws -> [UInt8] {
        var out = [UInt8]()
        PrettyJSON.append(try compactBody(), to: &out)
        let crc = CRC32C.checksum(out)
        out.insert(contentsOf: Self.checksumLinePrefix + CRC32C.hex(crc) + Self.checksumLineSuffix, at: 2)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// The body as compact JSON with sorted keys: the bytes `JSONCoding.compactEncoder()`
    /// writes for ``Body``.
    func compactBody() throws -> [UInt8] {
        var writer = JournalJSONWriter(capacity: JournalJSONWriter.estimatedLength(of: context.conversationHistory) + 4096)
        do throws(JournalJSONWriter.NonFiniteNumber) {
            writer.raw(#"{"context":"#)
            try writer.context(context)
            writer.raw(#","format":"#)
            writer.integer(Self.currentFormat)
            if let revision {
                writer.raw(#","revision":"#)
                writer.string(revision)
            }
            writer.raw(#","sequence":"#)
            writer.integer(sequence)
            writer.raw("}")
        } catch {
            // Only `JSONEncoder` can say where the number is; it fails the same way.
            _ = try JSONCoding.compactEncoder().encode(body)
            throw error
        }
        return writer.bytes
    }

    /// The `Codable` form of the file without its checksum line: the definition the writer
    /// and the direct reader mirror.
    var body: Body { Body(context: context, format: Self.currentFormat, revision: revision, sequence: sequence) }

    /// Why bytes are not a snapshot this code can use.
    enum ReadError: Error, Equatable {
        /// Damaged, or not a snapshot: the reason says which check failed.
        case invalid(String)
        /// Written by a newer format version.
        case newerFormat(Int)
    }

    /// Verifies the checksum, then decodes. A file whose line endings were converted to CRLF
    /// (git's `autocrlf`, a Windows editor) reads as the LF file it was: the checksum is defined
    /// over the bytes with every carriage return that precedes a newline left out, and the
    /// writer never puts a raw carriage return anywhere (JSON escapes it inside strings).
    static func decode(_ bytes: [UInt8], decoder: JSONDecoder = JSONCoding.decoder()) throws(ReadError) -> SnapshotFile {
        let bytes = lineFeedsOnly(bytes)
        let n = checksumLineLength
        guard bytes.count > 2 + n, bytes[0..<2].elementsEqual("{\n".utf8),
            bytes[2..<18].elementsEqual(checksumLinePrefix), bytes[26..<29].elementsEqual(checksumLineSuffix),
            let stored = CRC32C.parseHex(bytes[18..<26])
        else { throw .invalid("no checksum line at the top of the file") }
        var end = bytes.count
        if bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        let actual = CRC32C.checksum(bytes[(2 + n)..<end], continuing: CRC32C.checksum(bytes[0..<2]))
        guard actual == stored else {
            throw .invalid("checksum mismatch (stored \(hex(stored)), computed \(hex(actual)))")
        }
        // The whole file is JSON; decoding skips the checksum key, so no copy without it is needed.
        // The direct reader first: it reads what the store writes several times faster, and
        // declines anything else, which JSONDecoder then decodes or explains as before.
        if let body = bytes.withUnsafeBufferPointer(JournalJSONReader.snapshotBody) {
            guard body.format <= currentFormat else { throw .newerFormat(body.format) }
            return SnapshotFile(context: body.context, sequence: body.sequence, revision: body.revision)
        }
        let data = Data(bytes)
        do {
            let decoded = try decoder.decode(Body.self, from: data)
            guard decoded.format <= currentFormat else { throw ReadError.newerFormat(decoded.format) }
            return SnapshotFile(context: decoded.context, sequence: decoded.sequence, revision: decoded.revision)
        } catch let error as ReadError {
            throw error
        } catch {
            if let format = try? decoder.decode(FormatOnly.self, from: data).format, format > currentFormat {
                throw .newerFormat(format)
            }
            throw .invalid(JSONCoding.reason(error))
        }
    }

    private struct FormatOnly: Decodable { var format: Int }

    /// `bytes` with each CR of a CR LF pair left out; `bytes` itself when it holds no CR.
    static func lineFeedsOnly(_ bytes: [UInt8]) -> [UInt8] {
        // `memchr` rather than `contains`: a byte-at-a-time scan was about 1 ms of a 6.7 ms cold
        // load of a 4.7 MB snapshot, and almost every file has no CR at all.
        let hasCarriageReturn = bytes.withUnsafeBytes { $0.count > 0 && memchr($0.baseAddress!, 0x0D, $0.count) != nil }
        guard hasCarriageReturn else { return bytes }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        for (i, byte) in bytes.enumerated() where !(byte == UInt8(ascii: "\r") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n")) {
            out.append(byte)
        }
        return out
    }

    private static func hex(_ crc: UInt32) -> String { String(decoding: CRC32C.hex(crc), as: UTF8.self) }
}
