// DataFormat: the data-set file formats the tool reads. Auto picks by name: a folder → images, .jsonl/.tsv/.csv → text,
// .npy → npy, *idx*-ubyte[.gz] → idx, .csv.gz → optdigits.
namespace TaskVectors.Cli.Inputs;

internal enum DataFormat
{
    Auto,
    Jsonl,
    Tsv,
    Csv,
    Images,
    Idx,
    Npy,
    Optdigits,
}
