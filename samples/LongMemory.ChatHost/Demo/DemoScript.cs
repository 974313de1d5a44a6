namespace LongMemory.ChatHost.Demo;

/// <summary>
/// The built-in scripted conversation of the demo: five sessions, over 200 user turns. Facts are stated early (name,
/// city, job, pet, favourite food, sister, allergies, deadline...), small talk fills the space between, some facts change
/// later (a move to another city, a new deadline, a new pet), and everything is asked about much later, often in
/// another session, so that only memory (not the recent window) can bring the answer back.
/// </summary>
internal static class DemoScript
{
    /// <summary>Gets the session titles, by session index.</summary>
    public static IReadOnlyList<string> SessionTitles { get; } =
    [
        "Getting to know each other",
        "Weekend plans",
        "A busy month",
        "Catching up",
        "Looking back",
    ];

    /// <summary>Gets the facts the script states and checks.</summary>
    public static IReadOnlyList<DemoFact> Facts { get; } =
    [
        new("name", "user's name", "Dana"),
        new("city", "city (before the move)", "Lisbon"),
        new("job", "job", "marine biologist"),
        new("dog", "dog's name", "Biscuit"),
        new("food", "favourite food", "mushroom risotto"),
        new("sister", "sister's name", "Maria"),
        new("allergy", "allergies", "peanuts"),
        new("deadline", "project deadline (first)", "March 14"),
        new("car", "car", "Volvo"),
        new("birthday", "birthday", "June 3"),
        new("band", "favourite band", "Radiohead"),
        new("brother", "brother's name", "Tomas"),
        new("language", "language being learned", "Japanese"),
        new("city2", "city (after the move)", "Porto"),
        new("deadline2", "project deadline (changed)", "April 2"),
        new("cat", "new cat's name", "Pixel"),
    ];

    private static readonly string[] FillerLines =
    [
        "Hi again! How's your day going?",
        "The weather has been strange lately, sunny one hour and raining the next.",
        "I just made a big pot of coffee, it smells amazing.",
        "Do you have any tips for staying focused in the afternoon?",
        "I watched a documentary about octopuses last night, they are so clever.",
        "Can you recommend a good podcast for long drives?",
        "I tried a new running route this morning along the park.",
        "What's a good way to organise a messy desk?",
        "I think I need a new pair of headphones, mine keep crackling.",
        "Tell me a fun fact about space.",
        "My neighbour has been renovating all week and the drilling is relentless.",
        "I finally finished that thousand-piece puzzle.",
        "What's the difference between a latte and a flat white?",
        "I'm thinking about planting herbs on the balcony. Basil or mint?",
        "Any ideas for a rainy Sunday afternoon?",
        "I read that walking after meals helps digestion, is that true?",
        "The train was twenty minutes late again today.",
        "I've been trying to drink more water, it's harder than it sounds.",
        "What's a simple stretch for a stiff neck?",
        "I saw a double rainbow on the way home!",
        "How do you pronounce 'quinoa' properly?",
        "I started a new novel, a mystery set on a lighthouse island.",
        "Do you think it's worth learning to touch type at my age?",
        "I spilled tea on my notebook, luckily nothing important was lost.",
        "What's a good board game for four people?",
        "I'm trying to cut down on screen time before bed.",
        "The sunset tonight was bright orange over the rooftops.",
        "Give me a short motivational quote, please.",
        "I reorganised my bookshelf by colour, it looks great but I can't find anything.",
        "Do you know any good stretching routines for the morning?",
        "I baked bread for the first time, it came out a bit flat.",
        "What's the best way to keep cut flowers fresh longer?",
        "We had a power cut for an hour this evening.",
        "I'm debating whether to repaint the hallway.",
        "Can you explain how noise-cancelling headphones work?",
        "I cleaned out my inbox, down to zero unread emails.",
        "Any tips for remembering people's names at parties?",
        "I found an old photo album in the attic.",
        "What's a quick healthy snack for the office?",
        "I tried meditating for ten minutes, my mind wandered constantly.",
        "The café downstairs changed owners and the croissants got better.",
        "How long should I steep green tea?",
        "I went to a pottery class, my bowl looked more like a plate.",
        "What are some good habits for a productive morning?",
        "I keep forgetting to water the plants on the windowsill.",
        "My laptop fan has been very loud recently.",
        "Is it better to stretch before or after a workout?",
        "I saw a street musician playing the cello, it was beautiful.",
        "What's a good name for a book club?",
        "I finally fixed the squeaky door hinge with some oil.",
        "Can you suggest a relaxing playlist theme?",
        "I walked past the old cinema, they're turning it into flats.",
        "What's the trick to folding a fitted sheet?",
        "I had the strangest dream about flying bicycles.",
        "Any advice for writing a polite complaint email?",
        "The farmers market had huge pumpkins this week.",
        "I'm curious how tides actually work.",
        "I organised a small picnic with friends, it was lovely.",
        "What's a good stretch after sitting all day?",
        "I learned to make a paper crane today.",
        "Do you think handwritten letters are coming back?",
        "The library extended its opening hours, which is great news.",
        "What's a fun weekend project that doesn't cost much?",
        "I'm trying to learn a few card tricks.",
        "Our building's lift was broken so I took the stairs all week.",
        "Any idea why cats purr?",
        "I've started keeping a gratitude journal.",
        "What's the best way to reheat pizza?",
        "A hot air balloon floated over the city this morning.",
        "Can you summarise the rules of cricket in two sentences?",
        "I bought a secondhand bicycle, it needs new brakes.",
        "How do I get rid of fruit flies in the kitchen?",
        "I listened to a great jazz album on the way to work.",
        "What's a nice gesture for a colleague's birthday?",
        "I'm thinking of trying a cold shower in the morning.",
        "The wind was so strong today it flipped my umbrella.",
        "How many hours of sleep do adults really need?",
        "I started doodling during meetings, it helps me listen.",
        "What's a good way to say no to extra work politely?",
        "I saw fireworks from my window last night.",
        "Tell me a riddle.",
        "I'm trying to cook more at home and order less takeaway.",
        "What's the history of the sandwich?",
        "I found a great little bookshop down a side street.",
        "How do I stop my glasses from fogging up?",
        "I spent the evening sorting old cables into labelled bags.",
        "What's a good stretch for tight hamstrings?",
        "I tried a new tea blend with orange peel, surprisingly nice.",
        "Any tips for a long flight?",
        "The cherry trees on our street are starting to bloom.",
        "What's an easy houseplant that's hard to kill?",
        "I've been humming the same song all day.",
        "How do you make cold brew coffee?",
        "I helped a tourist find the museum today.",
        "What's a good way to start journaling?",
        "The bakery gave me a free pastry because it was closing time.",
        "I wonder why the sky looks purple sometimes at dusk.",
        "Can you recommend a classic film from the fifties?",
        "I cleaned the windows and the flat feels twice as bright.",
        "I'm trying to remember the last time I went to a concert.",
        "What's a polite way to end a long phone call?",
        "We played a quiz night at the pub and came third.",
        "I've been sketching the view from my balcony.",
        "What's the best way to learn to juggle?",
        "I tried writing a haiku, it was harder than expected.",
    ];

    /// <summary>Gets the steps of the script, in order.</summary>
    public static IReadOnlyList<DemoStep> Steps { get; } = Build();

    private static List<DemoStep> Build()
    {
        var steps = new List<DemoStep>();
        var filler = 0;
        var session = 0;

        void Say(string text) => steps.Add(new DemoStep(session, text));
        void State(string fact, string text) => steps.Add(new DemoStep(session, text, States: fact));
        void Ask(string fact, string text) => steps.Add(new DemoStep(session, text, Asks: fact));
        void Fill(int count)
        {
            for (var i = 0; i < count; i++)
            {
                steps.Add(new DemoStep(session, FillerLines[filler % FillerLines.Length]));
                filler++;
            }
        }

        // Session 1: introductions; most facts are stated here.
        session = 0;
        Say("Hello! I'd like you to get to know me a bit.");
        State("name", "My name is Dana Whitfield, by the way.");
        Fill(2);
        State("city", "I live in Lisbon, in an old flat with a view of the river.");
        Fill(3);
        State("job", "I work as a marine biologist at the Oceanario, mostly studying jellyfish.");
        Fill(3);
        State("dog", "My dog is called Biscuit, he's a scruffy terrier who steals socks.");
        Fill(4);
        State("food", "My favourite food is mushroom risotto, I could eat it every day.");
        Fill(3);
        State("sister", "My sister is named Maria and she's visiting next month.");
        Fill(4);
        State("allergy", "Important: I'm allergic to peanuts, so keep that in mind if you ever suggest recipes.");
        Fill(3);
        State("deadline", "My project deadline is March 14, it's the jellyfish migration report.");
        Fill(4);
        State("car", "I drive an old blue Volvo that my dad gave me.");
        Fill(8);

        // Session 2: more facts, small talk, two early checks across sessions.
        session = 1;
        Say("Morning! Back for another chat.");
        Fill(3);
        State("birthday", "My birthday is June 3, I'm planning a small dinner.");
        Fill(4);
        State("band", "My favourite band is Radiohead, I've seen them live twice.");
        Fill(4);
        State("brother", "My brother's name is Tomas, he lives abroad.");
        Fill(4);
        State("language", "I'm learning Japanese, twenty minutes every evening.");
        Fill(16);
        Ask("city", "Quick question: which city do I live in?");
        Fill(2);
        Ask("dog", "What's my dog called again?");
        Fill(3);

        // Session 3: things change.
        session = 2;
        Say("Hi, it's been a hectic few weeks.");
        Fill(3);
        State("city2", "Big news: I moved to Porto last week, the new flat is near the bridge.");
        Fill(8);
        State("deadline2", "The deadline got pushed: my project deadline is now April 2.");
        Fill(8);
        State("cat", "We also adopted a kitten, my cat is called Pixel.");
        Fill(22);

        // Session 4: late questions about the early facts.
        session = 3;
        Say("Hey, let's catch up.");
        Fill(4);
        Ask("name", "Do you remember my name?");
        Fill(3);
        Ask("job", "Remind me, what's my job?");
        Fill(3);
        Ask("food", "What's my favourite food?");
        Fill(3);
        Ask("sister", "What's my sister's name?");
        Fill(3);
        Ask("allergy", "I'm ordering takeaway for a party. What am I allergic to?");
        Fill(3);
        Ask("birthday", "When is my birthday?");
        Fill(3);
        Ask("band", "Which band is my favourite?");
        Fill(13);

        // Session 5: the changed facts, asked again, and the rest.
        session = 4;
        Say("Hello again, a few questions to test your memory.");
        Fill(3);
        Ask("city2", "Which city do I live in now?");
        Fill(2);
        Ask("deadline2", "When is my project deadline now?");
        Fill(2);
        Ask("cat", "What's my cat's name?");
        Fill(2);
        Ask("car", "What car do I drive?");
        Fill(2);
        Ask("brother", "What's my brother's name?");
        Fill(2);
        Ask("language", "Which language am I learning?");
        Fill(2);
        Ask("dog", "And my dog, what's his name?");
        Fill(6);
        Say("Thanks, that's all for today. Goodbye!");
        return steps;
    }
}
