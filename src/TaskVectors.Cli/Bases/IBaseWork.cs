// IBaseWork: a command's work over a base of either input type (image tensors or text batches), so a command is
// written once as a generic method and runs on whatever base the user names.
namespace TaskVectors.Cli.Bases;

internal interface IBaseWork<out TResult>
{
    TResult Run<TInput>(LoadedBase<TInput> loaded);
}
