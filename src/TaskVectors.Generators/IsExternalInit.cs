// IsExternalInit: lets netstandard2.0 compile records and init accessors (the runtime type ships only in .NET 5+).
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
