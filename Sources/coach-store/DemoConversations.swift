import CoachPersistence
import Foundation

/// One exchange of a demo conversation: what the user wrote, what the coach answered, and what
/// the app changed in the context afterwards. Each turn is one save, as an app would make it.
struct DemoTurn: Sendable {
    let user: String
    let coach: String
    var change: @Sendable (inout CoachContext) -> Void = { _ in }
}

/// A demo user: who they are, their conversation, and when the demo compacts them.
struct DemoUser: Sendable {
    let id: String
    /// When the first turn happened and when the last one did.
    let firstTurnDaysAgo: Double
    let lastTurnHoursAgo: Double
    /// The context before the first turn (profile, metadata, earlier progress).
    let start: @Sendable (inout CoachContext) -> Void
    let turns: [DemoTurn]
    /// Compact after this many turns (`nil`: never), leaving the later turns in the journal.
    let compactAfter: Int?
}

/// Four people at different points of their coaching.
enum DemoConversations {
    static let users: [DemoUser] = [maya, priya, jonas, leo]

    /// Building a movement habit; compacted, then two check-ins in the journal.
    static let maya = DemoUser(
        id: "maya", firstTurnDaysAgo: 12, lastTurnHoursAgo: 3,
        start: { c in
            c.userProfile = UserProfile(preferredName: "Maya", timeZone: "Europe/Berlin", locale: "de-DE", goals: ["run again"])
            c.metadata = ["plan": "premium", "channel": "ios"]
        },
        turns: [
            DemoTurn(
                user: "Hi. A friend said this might help. I used to run three times a week and I haven't run in almost a year.",
                coach: "Welcome, Maya, I'm glad you're here. Before we talk about running: what did a good week look like back when you were running?"),
            DemoTurn(
                user: "I slept better, I was less snappy with the kids, and I felt like I kept promises to myself.",
                coach: "Rest, patience with your family, trusting yourself. Those sound like the real reasons. Which one matters most right now?",
                change: { c in
                    c.currentState = .valuesDiscovery
                    c.userProfile.values = ["health", "family", "keeping promises to myself"]
                }),
            DemoTurn(
                user: "Keeping promises to myself. I plan to run on Monday and then suddenly it's Friday.",
                coach: "That's honest. Instead of another plan, a different question: what kind of person would you like to be, that running would simply be evidence of?",
                change: { c in
                    c.currentState = .identityBrainstorming
                    c.identities = [
                        Identity(id: "mover", statement: "a person who moves every day", createdAt: Date(timeIntervalSinceNow: -9 * 86_400)),
                        Identity(id: "finisher", statement: "someone who finishes what she starts", createdAt: Date(timeIntervalSinceNow: -9 * 86_400)),
                    ]
                }),
            DemoTurn(
                user: "Someone who moves every day, even a little. Not an athlete. Just someone whose body is part of her day.",
                coach: "'A person who moves every day' is a strong identity, and it doesn't need a stopwatch. Shall we make it yours?",
                change: { c in
                    c.currentState = .identityRefinement
                    c.identities[0].status = .committed
                }),
            DemoTurn(
                user: "Yes. But my mornings are chaos. Lunch is the only time that's mine.",
                coach: "Then lunch it is. What's the smallest version you could do even on your worst day?",
                change: { c in c.currentState = .actionPlanning }),
            DemoTurn(
                user: "A ten-minute walk after lunch. And I'll put my running shoes by the door the night before, for weekends.",
                coach: "Ten minutes after lunch, shoes by the door. Small enough to do tired, big enough to count. I'll check in with you on Thursday.",
                change: { c in
                    c.currentState = .habitBuilding
                    c.identities[0].supportingActions = ["walk 10 minutes after lunch", "running shoes by the door on Friday night"]
                    c.consolidatedSummary = "Maya (Berlin, two kids) wants to run again; what she really wants is to keep promises to herself. Committed identity: a person who moves every day. Actions: a 10-minute walk after lunch; running shoes by the door for the weekend."
                }),
            DemoTurn(
                user: "Thursday check-in: I walked four days out of five! Missed Wednesday because of a client call.",
                coach: "Four out of five in your first week is a real start. About Wednesday: could the walk have moved, or shrunk to five minutes?",
                change: { c in c.metadata["streakDays"] = 4 }),
            DemoTurn(
                user: "Honestly, five minutes around the block would have worked. And I ran on Saturday. 3 km!",
                coach: "That's the identity at work: the shoes were by the door and you went. Let's keep five minutes around the block as the fallback for busy days.",
                change: { c in
                    c.metadata["streakDays"] = 6
                    c.identities[0].supportingActions.append("on busy days: five minutes around the block")
                }),
        ],
        compactAfter: 6)

    /// A month into a wind-down routine, now reflecting; fully compacted.
    static let priya = DemoUser(
        id: "priya", firstTurnDaysAgo: 3, lastTurnHoursAgo: 26,
        start: { c in
            c.currentState = .habitBuilding
            c.userProfile = UserProfile(
                preferredName: "Priya", timeZone: "Asia/Kolkata", locale: "en-IN",
                goals: ["sleep before midnight", "be less stressed at work"], values: ["calm", "health", "curiosity"])
            c.identities = [
                Identity(
                    id: "evenings", statement: "someone who protects her evenings", status: .committed,
                    supportingActions: ["phone on the kitchen charger at 22:30", "read fiction in bed"],
                    createdAt: Date(timeIntervalSinceNow: -31 * 86_400))
            ]
            c.consolidatedSummary = "Priya has practised a wind-down routine for four weeks to get to bed before midnight."
            c.metadata = ["plan": "free", "channel": "web"]
        },
        turns: [
            DemoTurn(
                user: "Week four. Phone in the kitchen at 22:30 worked on most nights.",
                coach: "Four weeks of protecting your evenings. How is your sleep compared with when we started?"),
            DemoTurn(
                user: "In bed before midnight on five nights out of seven. And I'm less foggy in morning meetings.",
                coach: "That's a real change, and you noticed it during the day too. It sounds like a good moment to look back at the whole month.",
                change: { c in c.currentState = .reflection }),
            DemoTurn(
                user: "The hardest part was the first week. Now it's just what I do.",
                coach: "'Just what I do' is exactly how an identity feels from the inside. Would you say you are someone who protects her evenings now?"),
            DemoTurn(
                user: "Yes. Next I'd like to work on stress at work.",
                coach: "Then let's mark this one as lived and start on work stress next time. Well done, Priya.",
                change: { c in
                    c.identities[0].status = .embodied
                    c.userProfile.goals = ["be less stressed at work"]
                    c.consolidatedSummary = "Priya built a wind-down routine over four weeks (in bed before midnight 5/7 nights) and now lives the identity 'someone who protects her evenings'. Next topic: stress at work."
                }),
        ],
        compactAfter: 4)

    /// Brainstorming identities around writing; never compacted, everything in the journal.
    static let jonas = DemoUser(
        id: "jonas", firstTurnDaysAgo: 2, lastTurnHoursAgo: 5,
        start: { c in
            c.userProfile = UserProfile(preferredName: "Jonas", timeZone: "America/Chicago", locale: "en-US", goals: ["finish the first draft of my novel"])
            c.metadata = ["plan": "free", "channel": "android"]
        },
        turns: [
            DemoTurn(
                user: "I've been 'writing a novel' for six years. I have 40 pages.",
                coach: "Six years of carrying a story means it matters to you. What do you love about it when the writing goes well?"),
            DemoTurn(
                user: "That I disappear into it. Time just goes away.",
                coach: "Absorption is a beautiful thing to value. What usually gets between you and that feeling?",
                change: { c in
                    c.currentState = .valuesDiscovery
                    c.userProfile.values = ["craft", "absorption", "finishing things"]
                }),
            DemoTurn(
                user: "My job, mostly. By the evening my brain is gone.\nAnd I think I wait to feel inspired.",
                coach: "Waiting for inspiration is very common; people who finish drafts tend to rely on routine more than mood. If the draft were done, what would you call yourself?"),
            DemoTurn(
                user: "A writer, I guess. But that feels like a lie right now.",
                coach: "Let's find identities that feel true today and grow into 'writer'. For example: 'someone who writes before work', or 'someone who shows up to the page, even badly'. What fits?",
                change: { c in
                    c.currentState = .identityBrainstorming
                    c.identities = [Identity(id: "mornings", statement: "someone who writes before work")]
                }),
            DemoTurn(
                user: "'Someone who shows up to the page, even badly.' I like that it allows bad pages.",
                coach: "Bad pages are how drafts get finished. Let's keep that one, and see next time which of the two feels more like you.",
                change: { c in c.identities.append(Identity(id: "shows-up", statement: "someone who shows up to the page, even badly")) }),
        ],
        compactAfter: nil)

    /// Just started: one exchange.
    static let leo = DemoUser(
        id: "leo", firstTurnDaysAgo: 0.02, lastTurnHoursAgo: 0.5,
        start: { c in
            c.userProfile = UserProfile(timeZone: "Europe/London", locale: "en-GB")
            c.metadata = ["plan": "trial", "channel": "web", "referrer": "employer"]
        },
        turns: [
            DemoTurn(
                user: "hey. not sure what this is, my manager suggested it",
                coach: "Hi! I'm a coach that helps people build habits by starting with who they want to be. No pressure at all. What made your manager think of it?")
        ],
        compactAfter: nil)
}
