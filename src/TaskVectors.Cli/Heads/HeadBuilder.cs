// HeadBuilder: makes a frozen cosine head (classes, D) at θ0:
//   prototypes: h_c = μ_c − (1/K) Σ_k μ_k, μ_c the mean of f(x; θ0) over the training examples of class c (centered:
//               the embeddings of a base share a large common direction — nearly all of it for a random-init base —
//               which would leave the K heads almost parallel; the head normalizes h_c);
//   prompts:    h_c = f(prompt_c; θ0), one prompt per class (zero-shot, text bases);
//   random:     h_c ~ N(0, I), seeded.
using TaskVectors.Cli.Bases;
using TaskVectors.Cli.Hosting;
using TaskVectors.Data;
using TaskVectors.Layers;
using TaskVectors.Tensors;

namespace TaskVectors.Cli.Heads;

internal static class HeadBuilder
{
    private const int BatchSize = 64;

    public static CosineHead Prototypes<TInput>(LoadedBase<TInput> b, ILabeledData<TInput> data, string name, float scale, CancellationToken cancellationToken)
    {
        int dim = b.Model.EmbeddingDim;
        var sums = new double[data.Classes * dim];
        var counts = new int[data.Classes];
        var indices = new int[BatchSize];
        for (int start = 0; start < data.Count; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(BatchSize, data.Count - start);
            for (int i = 0; i < n; i++) indices[i] = start + i;
            var batch = data.CreateBatch(n);
            data.Fill(batch, indices.AsSpan(0, n));
            var embeddings = b.Model.Forward(batch).Span;   // (n, D)
            for (int i = 0; i < n; i++)
            {
                int c = data.Label(start + i);
                counts[c]++;
                for (int d = 0; d < dim; d++) sums[c * dim + d] += embeddings[i * dim + d];
            }
        }
        var missing = Enumerable.Range(0, data.Classes).Where(c => counts[c] == 0).ToList();
        if (missing.Count > 0)
            throw new CliException(ExitCode.BadFile, $"Data '{data.Description}' has no example of class {string.Join(", ", missing)}, so it has no prototype.");
        var classes = new Tensor(data.Classes, dim);
        for (int d = 0; d < dim; d++)
        {
            double center = 0;
            for (int c = 0; c < data.Classes; c++) center += sums[c * dim + d] / counts[c];
            center /= data.Classes;
            for (int c = 0; c < data.Classes; c++) classes.Span[c * dim + d] = (float)(sums[c * dim + d] / counts[c] - center);
        }
        return new CosineHead(name, classes, scale);
    }

    public static CosineHead Prompts<TInput>(LoadedBase<TInput> b, string promptsFile, int classes, string name, float scale)
    {
        if (b.EncodeText is null) throw new CliException(ExitCode.Usage, "--head-init prompts needs a text base; use prototypes or random for images.");
        var prompts = File.ReadAllLines(promptsFile).Where(l => l.Trim().Length > 0).ToList();
        if (prompts.Count != classes)
            throw new CliException(ExitCode.BadFile, $"--prompts '{promptsFile}' has {prompts.Count} prompts; the data has {classes} classes (one non-empty line per class).");
        var embeddings = b.Model.Forward(b.EncodeText(prompts)).Clone();
        return new CosineHead(name, embeddings, scale);
    }

    public static CosineHead Random(int classes, int dim, ulong seed, string name, float scale)
    {
        var embeddings = new Tensor(classes, dim);
        new Rng(seed).FillNormal(embeddings.Span);
        return new CosineHead(name, embeddings, scale);
    }
}
