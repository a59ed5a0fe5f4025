using DataHub.Core.Kpis;

namespace DataHub.Core.Rollup;

/// <summary>The dates a mart file reports on, for the delivery log: its period field's range, or for health its quarter labels' range.</summary>
internal sealed class PeriodSpan
{
    public DateOnly? First { get; private set; }

    public DateOnly? Last { get; private set; }

    public void Add(MartRowGroup group, string? periodField)
    {
        if (periodField is not null)
        {
            var date = group.Date(periodField);
            for (var r = 0; r < group.Rows; r++)
            {
                Include(date(r), date(r));
            }

            return;
        }

        var label = group.Text("quarter");
        for (var r = 0; r < group.Rows; r++)
        {
            if (Quarter.TryParse(label(r), out var q))
            {
                Include(q.Start, q.End);
            }
        }
    }

    private void Include(DateOnly? from, DateOnly? to)
    {
        if (from is { } f && (First is null || f < First))
        {
            First = f;
        }

        if (to is { } t && (Last is null || t > Last))
        {
            Last = t;
        }
    }
}
