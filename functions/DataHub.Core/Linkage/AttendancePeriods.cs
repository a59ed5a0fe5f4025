using DataHub.Core.Kpis;

namespace DataHub.Core.Linkage;

/// <summary>
/// School attendance under the feed's natural key (pupil, school, period): per pupil and school the periods are kept
/// non-overlapping, and a period added later replaces every earlier one it overlaps (a re-send, a correction, a different
/// split of the same days), so no day is counted twice. Periods at different schools are all kept and added up.
/// </summary>
internal sealed class AttendancePeriods
{
    private readonly Dictionary<(int Person, int School), List<LinkedAttendance>> _periods = [];
    private readonly Dictionary<string, int> _schools = new(StringComparer.Ordinal);

    public void Add(int person, AttendanceRow row)
    {
        if (!_schools.TryGetValue(row.SchoolUrn, out var school))
        {
            school = _schools.Count;
            _schools[row.SchoolUrn] = school;
        }

        var period = new LinkedAttendance(person, school, row.PeriodStart, row.PeriodEnd, row.PossibleSessions, row.AuthorisedAbsenceSessions, row.UnauthorisedAbsenceSessions);
        if (!_periods.TryGetValue((person, school), out var list))
        {
            _periods[(person, school)] = [period];
            return;
        }

        // The list is sorted by start and holds no overlaps, so it is sorted by end too: the periods the new one overlaps
        // are the run from the first that ends on or after its start to the last that starts on or before its end.
        var first = FirstEndingOnOrAfter(list, period.PeriodStart);
        var last = first;
        while (last < list.Count && list[last].PeriodStart <= period.PeriodEnd)
        {
            last++;
        }

        list.RemoveRange(first, last - first);
        list.Insert(first, period);
    }

    /// <summary>Every period kept, in one array of the exact size (no growing copies at county scale).</summary>
    public LinkedAttendance[] ToArray()
    {
        var all = new LinkedAttendance[_periods.Values.Sum(p => p.Count)];
        var at = 0;
        foreach (var list in _periods.Values)
        {
            list.CopyTo(all, at);
            at += list.Count;
        }

        return all;
    }

    private static int FirstEndingOnOrAfter(List<LinkedAttendance> list, DateOnly day)
    {
        // Usually the new period comes after every stored one: check the end before searching.
        if (list[^1].PeriodEnd < day)
        {
            return list.Count;
        }

        int lo = 0, hi = list.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (list[mid].PeriodEnd < day)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
