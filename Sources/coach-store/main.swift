import Foundation

// coach-store: the command-line tool for looking at and looking after a store by hand.
// Everything is in CoachStoreTool (CLI.swift); this only hands it the arguments.
let status = await CoachStoreTool.main(Array(CommandLine.arguments.dropFirst()))
exit(status)
