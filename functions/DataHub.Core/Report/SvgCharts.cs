using System.Globalization;
using System.Net;
using System.Text;

namespace DataHub.Core.Report;

/// <summary>One named series of a chart: a value per category, null where nothing is published (a marker stands in for it).</summary>
/// <param name="Name">Shown in the legend.</param>
/// <param name="Values">One per category.</param>
/// <param name="Colour">The fill or stroke colour.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<double?> Values, string Colour);

/// <summary>What a chart's values are, so its y axis is marked in steps that suit them.</summary>
public enum ChartValues
{
    /// <summary>Counts (people, plans, files, figures) and values shown as whole numbers (days): the axis never steps by a fraction.</summary>
    Whole,

    /// <summary>Shares shown as percentages to one decimal place: the axis steps by 0.1% or more, so no two labels read alike.</summary>
    Percent,
}

/// <summary>Inline SVG line and bar charts for the board report: no script, no external font, a title and description for screen readers.</summary>
public static class SvgCharts
{
    /// <summary>Colours that stay distinct for colour-blind readers (Okabe–Ito), for series without their own meaning.</summary>
    public static IReadOnlyList<string> Palette { get; } = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"];

    private const int Width = 640;
    private const int Height = 250;
    private const int Left = 56;
    private const int Right = 130;
    private const int Top = 14;
    private const int Bottom = 46;

    /// <summary>A line per series over the categories (quarters); a gap where a value is withheld or not a finite number.</summary>
    public static string Line(string id, string title, string description, IReadOnlyList<string> categories, IReadOnlyList<ChartSeries> series, Func<double, string> format, ChartValues values)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        var (svg, y) = Frame(id, title, description, series, format, values);
        double X(int i) => Left + (categories.Count <= 1 ? (Width - Left - Right) / 2.0 : i * (Width - Left - Right) / (double)(categories.Count - 1));
        XLabels(svg, categories, X);
        foreach (var s in series)
        {
            var path = new StringBuilder();
            var pen = false;
            for (var i = 0; i < s.Values.Count; i++)
            {
                if (s.Values[i] is not { } v || !double.IsFinite(v))
                {
                    pen = false;
                    continue;
                }

                path.Append(pen ? " L" : " M").Append(N(X(i))).Append(' ').Append(N(y(v)));
                pen = true;
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(X(i))}\" cy=\"{N(y(v))}\" r=\"2.5\" fill=\"{s.Colour}\"/>");
            }

            if (path.Length > 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path.ToString().Trim()}\" fill=\"none\" stroke=\"{s.Colour}\" stroke-width=\"2\"/>");
            }
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>Bars side by side per category, one per series.</summary>
    public static string Bars(string id, string title, string description, IReadOnlyList<string> categories, IReadOnlyList<ChartSeries> series, Func<double, string> format, ChartValues values)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        var (svg, y) = Frame(id, title, description, series, format, values);
        var band = (Width - Left - Right) / (double)Math.Max(1, categories.Count);
        var bar = band * 0.8 / Math.Max(1, series.Count);
        XLabels(svg, categories, i => Left + (band * i) + (band / 2));
        for (var s = 0; s < series.Count; s++)
        {
            for (var i = 0; i < categories.Count && i < series[s].Values.Count; i++)
            {
                if (series[s].Values[i] is not { } v || !double.IsFinite(v))
                {
                    continue;
                }

                var x = Left + (band * i) + (band * 0.1) + (bar * s);
                var top = Math.Min(y(v), y(0));
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(x)}\" y=\"{N(top)}\" width=\"{N(bar - 1)}\" height=\"{N(Math.Abs(y(v) - y(0)))}\" fill=\"{series[s].Colour}\"/>");
            }
        }

        return svg.Append("</svg>").ToString();
    }

    // The svg element with its title, description, y axis (gridlines at round steps from zero or below the lowest value to
    // above the highest), and legend.
    private static (StringBuilder Svg, Func<double, double> Y) Frame(string id, string title, string description, IReadOnlyList<ChartSeries> series, Func<double, string> format, ChartValues kind)
    {
        // A value that is not a finite number (NaN, infinity) would make the whole axis NaN: it is left off, as a withheld one is.
        var values = series.SelectMany(s => s.Values).OfType<double>().Where(double.IsFinite).ToArray();
        var ticks = Ticks(Math.Min(0, values.DefaultIfEmpty(0).Min()), Math.Max(0, values.DefaultIfEmpty(0).Max()), kind);
        var (min, max) = (ticks[0], ticks[^1]);
        double Y(double v) => Top + ((Height - Top - Bottom) * (1 - ((v - min) / (max - min))));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" class=\"chart\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{E(title)}</title><desc id=\"{id}-desc\">{E(description)}</desc>");
        foreach (var v in ticks)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{N(Y(v))}\" y2=\"{N(Y(v))}\" stroke=\"#ccc\" stroke-width=\"0.5\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{N(Y(v) + 3)}\" text-anchor=\"end\" font-size=\"9\">{E(format(v))}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{N(Y(0))}\" y2=\"{N(Y(0))}\" stroke=\"#555\" stroke-width=\"0.8\"/>");
        for (var s = 0; s < series.Count; s++)
        {
            var ly = Top + 6 + (s * 14);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Width - Right + 10}\" y=\"{ly - 7}\" width=\"10\" height=\"10\" fill=\"{series[s].Colour}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right + 24}\" y=\"{ly + 2}\" font-size=\"10\">{E(series[s].Name)}</text>");
        }

        return (svg, Y);
    }

    /// <summary>The y axis ticks from <paramref name="low"/> to <paramref name="high"/> (widened to whole steps): about five steps
    /// of 1, 2 or 5 times a power of ten, so every label is a round number; whole numbers step by at least 1.</summary>
    internal static IReadOnlyList<double> Ticks(double low, double high, ChartValues kind)
    {
        var span = high > low ? high - low : 1;
        var rough = span / 5;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * power).First(s => s >= rough * (1 - 1e-9));
        step = Math.Max(kind == ChartValues.Whole ? 1 : 0.001, step);

        // The small tolerance keeps a value that sits on a step (0.3 / 0.1 = 2.9999…) from adding a step beyond it.
        var first = Math.Floor((low / step) + 1e-9);
        var last = Math.Max(first + 1, Math.Ceiling((high / step) - 1e-9));
        return [.. Enumerable.Range(0, (int)(last - first) + 1).Select(i => Math.Round((first + i) * step, 12))];
    }

    private static void XLabels(StringBuilder svg, IReadOnlyList<string> categories, Func<int, double> x)
    {
        // Every label when they fit, otherwise every few, so they never overlap.
        var step = Math.Max(1, (int)Math.Ceiling(categories.Count / 12.0));
        for (var i = 0; i < categories.Count; i += step)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x(i))}\" y=\"{Height - Bottom + 14}\" text-anchor=\"middle\" font-size=\"9\">{E(categories[i])}</text>");
        }
    }

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
