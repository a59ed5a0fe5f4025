using System.Text;

namespace DataHub.Core.Pseudonymisation;

/// <summary>
/// The tokens of a batch of rows as ASCII text (<c>{keyVersion}:{64 hex}</c>), row by row and key by key, in one buffer
/// reused batch after batch: the mart writer copies them straight into Parquet pages without a string per token.
/// </summary>
public sealed class TokenBatch
{
    private byte[] _text = [];
    private bool[] _present = [];

    /// <summary>An empty batch for tokens of <paramref name="keys"/> keys, each <paramref name="tokenLength"/> ASCII bytes long.</summary>
    public TokenBatch(int keys, int tokenLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keys);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokenLength);
        Keys = keys;
        TokenLength = tokenLength;
    }

    /// <summary>Rows in the batch.</summary>
    public int Rows { get; private set; }

    /// <summary>Tokens per row (the feed's keys).</summary>
    public int Keys { get; }

    /// <summary>Bytes in every token.</summary>
    public int TokenLength { get; }

    /// <summary>True when row <paramref name="row"/> has a token for key <paramref name="key"/>.</summary>
    public bool Has(int row, int key) => _present[Slot(row, key)];

    /// <summary>The token's ASCII bytes; empty when the row has none for that key.</summary>
    public ReadOnlySpan<byte> Token(int row, int key)
    {
        var slot = Slot(row, key);
        return _present[slot] ? _text.AsSpan(slot * TokenLength, TokenLength) : default;
    }

    /// <summary>The token as text; null when the row has none for that key.</summary>
    public string? Text(int row, int key) => Has(row, key) ? Encoding.ASCII.GetString(Token(row, key)) : null;

    /// <summary>Empties the batch and makes room for <paramref name="rows"/> rows with no tokens yet.</summary>
    internal void Reset(int rows)
    {
        var slots = rows * Keys;
        if (_present.Length < slots)
        {
            _present = new bool[slots];
            _text = new byte[slots * TokenLength];
        }

        Array.Clear(_present, 0, slots);
        Rows = rows;
    }

    /// <summary>Marks the token of row <paramref name="row"/> and key <paramref name="key"/> present; returns where its text goes.</summary>
    internal Span<byte> Fill(int row, int key)
    {
        var slot = Slot(row, key);
        _present[slot] = true;
        return _text.AsSpan(slot * TokenLength, TokenLength);
    }

    private int Slot(int row, int key)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Rows, nameof(row));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)key, (uint)Keys, nameof(key));
        return (row * Keys) + key;
    }
}
