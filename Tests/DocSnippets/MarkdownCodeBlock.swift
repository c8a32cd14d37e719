/// One fenced code block of a Markdown file, as CommonMark reads it.
public struct MarkdownCodeBlock: Equatable, Sendable {
    /// The first word of the fence's info string, lowercased (`swift` in ```` ```Swift ````), or `""`.
    public var language: String
    /// The 1-based line of the opening fence.
    public var line: Int
    /// The lines between the fences, with the opening fence's indentation removed.
    public var lines: [String]

    /// Every fenced block of `markdown`, in order. A block left open runs to the end of the
    /// text, as CommonMark reads it.
    public static func all(in markdown: String) -> [MarkdownCodeBlock] {
        var blocks: [MarkdownCodeBlock] = []
        var open: (fence: Fence, block: MarkdownCodeBlock)?
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = String(line.hasSuffix("\r") ? line.dropLast() : line)
            if let current = open {
                if current.fence.isClosed(by: text) {
                    blocks.append(current.block)
                    open = nil
                } else {
                    open?.block.lines.append(current.fence.removingIndentation(from: text))
                }
            } else if let fence = Fence(opening: text) {
                open = (fence, MarkdownCodeBlock(language: fence.language, line: index + 1, lines: []))
            }
        }
        if let current = open { blocks.append(current.block) }
        return blocks
    }
}

/// An opening code fence: spaces, then at least three backticks or tildes.
///
/// CommonMark allows at most three spaces before a fence at the top level, but more inside list
/// items; any indentation is accepted here, so that no Swift block of a nested list is missed.
private struct Fence {
    var character: Character
    var length: Int
    var indentation: Int
    var language: String

    init?(opening line: String) {
        let indentation = line.prefix { $0 == " " }.count
        let rest = line.dropFirst(indentation)
        guard let first = rest.first, first == "`" || first == "~" else { return nil }
        let length = rest.prefix { $0 == first }.count
        let info = rest.dropFirst(length)
        // CommonMark: a backtick fence's info string may not contain a backtick.
        guard length >= 3, first == "~" || !info.contains("`") else { return nil }
        self.character = first
        self.length = length
        self.indentation = indentation
        // Lowercased: GitHub and DocC read ```Swift as Swift too.
        self.language = info.split(separator: " ", maxSplits: 1).first.map { $0.lowercased() } ?? ""
    }

    func isClosed(by line: String) -> Bool {
        let rest = line.drop { $0 == " " }
        let run = rest.prefix { $0 == character }.count
        return run >= length && rest.dropFirst(run).allSatisfy { $0 == " " || $0 == "\t" }
    }

    /// Content lines lose as many leading spaces as the opening fence had, no more.
    func removingIndentation(from line: String) -> String {
        String(line.dropFirst(min(indentation, line.prefix { $0 == " " }.count)))
    }
}
