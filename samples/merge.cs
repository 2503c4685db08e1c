// merge.cs: merges task-vector files into their base checkpoint: θ0 + α·method(τ_1, …, τ_T), written atomically.
// Usage: dotnet run samples/merge.cs -- base.safetensors tau1.safetensors tau2.safetensors … [--method ties] [--alpha 0.4]
//        [--out merged.safetensors] [--unverified]   (methods: task_arithmetic, ties, dare_ties, tall, iso_c, tsv, …)
#:property PublishAot=false
#:project ../src/TaskVectors/TaskVectors.csproj
using TaskVectors.Building;

var files = new List<string>();
var options = new Dictionary<string, string> { ["--method"] = "task_arithmetic", ["--alpha"] = "1", ["--out"] = "merged.safetensors" };
for (int i = 0; i < args.Length; i++)
    if (options.ContainsKey(args[i]) && i + 1 < args.Length) options[args[i]] = args[++i];
    else if (args[i] is not ("--" or "--unverified")) files.Add(args[i]);
if (files.Count < 2) { Console.Error.WriteLine("usage: dotnet run samples/merge.cs -- base.safetensors tau1.safetensors … [--method M] [--alpha A] [--out FILE] [--unverified]"); return 1; }
float alpha = float.Parse(options["--alpha"], System.Globalization.CultureInfo.InvariantCulture);
TaskArithmetic.MergeIntoBase(files[0], files[1..], options["--out"], options["--method"], alpha, unverifiedBase: args.Contains("--unverified"));
Console.WriteLine($"{options["--out"]}: {files[0]} + {alpha} · {options["--method"]}({string.Join(", ", files[1..].Select(Path.GetFileName))})");
return 0;
