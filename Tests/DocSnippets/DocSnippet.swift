import Foundation

/// A fenced ```` ```swift ```` block of the documentation, compiled by the DocSnippetTests target.
public struct DocSnippet: Equatable, Sendable {
    /// Where a snippet's code goes in the generated file.
    public enum Scope: Sendable {
        /// Statements and local declarations: the body of a function of its own, like the code
        /// of a `main.swift` that a reader pastes.
        case function
        /// Declarations that Swift allows only at file scope (an `extension`, a `protocol`, an
        /// access modifier): the code as it is, at the top level of the generated file.
        case file
    }

    /// The Markdown file, relative to the package root (`README.md`).
    public var file: String
    /// 1-based position among the file's Swift blocks.
    public var ordinal: Int
    /// The 1-based line of the block's opening fence.
    public var line: Int
    /// The code, line by line.
    public var code: [String]

    /// A snippet from its parts.
    public init(file: String, ordinal: Int, line: Int, code: [String]) {
        self.file = file
        self.ordinal = ordinal
        self.line = line
        self.code = code
    }

    /// The snippet's name in Swift: `Snippet_GettingStarted_2`.
    public var identifier: String {
        let base = (file as NSString).lastPathComponent.replacingOccurrences(of: ".md", with: "")
        let cleaned = String(base.map { $0.isLetter || $0.isNumber ? $0 : "_" })
        return "Snippet_\(cleaned)_\(ordinal)"
    }

    /// How a person finds the block: `README.md, swift block 1 (line 26)`.
    public var location: String { "\(file), swift block \(ordinal) (line \(line))" }

    /// File scope when the block declares something only a file can hold.
    public var scope: Scope {
        // Leading words that cannot start a statement inside a function body.
        let fileOnly = ["extension ", "protocol ", "public ", "open ", "package ", "internal ", "fileprivate ", "private ", "@main"]
        return code.contains { line in fileOnly.contains { line.hasPrefix($0) } } ? .file : .function
    }

    /// The modules the snippet imports, in order.
    public var imports: [String] { code.compactMap(Self.importedModule) }

    /// The snippet's import lines as written, without `@testable`.
    public var importLines: [String] {
        code.filter { Self.importedModule(in: $0) != nil }.map { line in
            line.split(separator: " ").drop { $0.hasPrefix("@") }.joined(separator: " ")
        }
    }

    /// The code with its import lines blank (imports go to the top of the generated file; the
    /// blank keeps every other line where it is in the Markdown, for diagnostics).
    public var codeWithoutImports: [String] { code.map { Self.importedModule(in: $0) == nil ? $0 : "" } }

    /// The constants and variables declared at the top level of the snippet (`let store`,
    /// `var (a, b)`): the generated function reads each once, so that a name a snippet only
    /// shows is not reported as unused.
    public var topLevelNames: [String] {
        code.flatMap { line -> [String] in
            guard let rest = ["let ", "var "].first(where: line.hasPrefix).map({ line.dropFirst($0.count) }) else { return [] }
            let pattern = rest.hasPrefix("(") ? rest.dropFirst().prefix { $0 != ")" } : rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            return pattern.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && $0 != "_" && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }
        }
    }

    /// `X` for a line `import X` or `import struct X.Y` (or `@testable import X`, which compiles
    /// as a plain import: the docs show only public API).
    static func importedModule(in line: String) -> String? {
        let words = line.split(separator: " ")
        guard let index = words.firstIndex(of: "import"), words[..<index].allSatisfy({ $0.hasPrefix("@") }) else { return nil }
        let kinds: Set<Substring> = ["typealias", "struct", "class", "enum", "protocol", "let", "var", "func"]
        let name = words.dropFirst(index + 1).first { !kinds.contains($0) }
        return name.map { String($0.prefix { $0 != "." }) }
    }

    /// Every Swift block of `markdown`, read from `file`.
    public static func all(inMarkdown markdown: String, file: String) -> [DocSnippet] {
        MarkdownCodeBlock.all(in: markdown).filter { $0.language == "swift" }.enumerated().map { index, block in
            DocSnippet(file: file, ordinal: index + 1, line: block.line, code: block.lines)
        }
    }

    /// Every Swift block of the package's documentation: `README.md` and every `.md` of every
    /// DocC catalog under `Sources/`, articles added later included.
    public static func all(inPackage root: URL) throws -> [DocSnippet] {
        try documentationFiles(inPackage: root).flatMap { file in
            let markdown = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            return all(inMarkdown: markdown, file: file)
        }
    }

    /// `README.md`, then the catalogs' Markdown files, by path.
    public static func documentationFiles(inPackage root: URL) throws -> [String] {
        let sources = root.appendingPathComponent("Sources")
        let walker = FileManager.default.enumerator(atPath: sources.path)
        var articles: [String] = []
        while let relative = walker?.nextObject() as? String {
            if relative.hasSuffix(".md"), relative.split(separator: "/").dropLast().contains(where: { $0.hasSuffix(".docc") }) {
                articles.append("Sources/" + relative)
            }
        }
        // By Unicode scalars, so that the order does not depend on the machine's locale.
        articles.sort { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        return ["README.md"] + articles
    }
}
