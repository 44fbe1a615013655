using System.Runtime.InteropServices;
using System.Text;

namespace Yardmaster.Executors.Process;

/// <summary>
/// A NULL-terminated <c>char*[]</c> of UTF-8, NUL-terminated strings in one native block (argv, envp).
/// Not thread-safe; free it with <see cref="Dispose"/>.
/// </summary>
internal sealed unsafe class NativeStrings : IDisposable
{
    private void* _block;

    public NativeStrings(IReadOnlyList<string> values)
    {
        var pointers = (nuint)(values.Count + 1) * (nuint)sizeof(byte*);
        nuint bytes = 0;
        foreach (var value in values)
        {
            bytes += (nuint)Encoding.UTF8.GetByteCount(value) + 1;
        }

        _block = NativeMemory.Alloc(pointers + bytes);
        var table = (byte**)_block;
        var cursor = (byte*)_block + pointers;
        for (var i = 0; i < values.Count; i++)
        {
            table[i] = cursor;
            var written = Encoding.UTF8.GetBytes(values[i], new Span<byte>(cursor, int.MaxValue));
            cursor[written] = 0;
            cursor += written + 1;
        }

        table[values.Count] = null;
    }

    /// <summary>The <c>char**</c>; valid until disposed.</summary>
    public byte** Pointer => (byte**)_block;

    /// <summary>The i-th string as a <c>char*</c>.</summary>
    public byte* this[int index] => Pointer[index];

    public void Dispose()
    {
        NativeMemory.Free(_block);
        _block = null;
    }
}
