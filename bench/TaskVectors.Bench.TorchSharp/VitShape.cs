// VitShape: one configuration the parent bench sends in its setup line (its own VisionTransformerConfig's numbers),
// so both sides build exactly the same shapes: images (Batch, Channels, Image, Image), Classes head rows.
namespace TaskVectors.Bench.TorchSharp;

internal sealed record VitShape(string Name, int Image, int Patch, int Channels, int Width, int Layers, int Heads, int Mlp, int Projection, int Batch, int Classes);
