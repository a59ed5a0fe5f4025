using System.Runtime.InteropServices;

namespace DataHub.Storage.Local;

/// <summary>
/// The permissions of every file and folder the hub creates, set once for the process through its file-creation mask
/// (umask): owner only by default (files 600, folders 700), for the reports, marts, archive, quarantine, audit,
/// receipts and logs alike. An operator who wants, say, a group to read them sets DATAHUB_UMASK (octal, e.g. 027 for
/// files 640 and folders 750). Keys stay 600 in a 700 folder whatever the mask.
/// </summary>
public static class FileCreationMask
{
    /// <summary>The environment variable that overrides the mask.</summary>
    public const string Setting = "DATAHUB_UMASK";

    /// <summary>The default mask, octal 077: nothing for group or others.</summary>
    public const int OwnerOnly = 0x3F;

    /// <summary>The mask a setting asks for (the default when it is empty).</summary>
    /// <exception cref="ArgumentException">The setting is not an octal mask, would take the owner's own access away, or would let others write.</exception>
    public static int Parse(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return OwnerOnly;
        }

        int mask;
        try
        {
            mask = Convert.ToInt32(setting.Trim(), 8);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            throw new ArgumentException($"{Setting}='{setting}' is not an octal file-creation mask such as 077 or 027.", ex);
        }

        if (mask is < 0 or > 0x1FF || (mask & 0x1C0) != 0 || (mask & 0x2) == 0)
        {
            throw new ArgumentException($"{Setting}={Describe(mask)} is not allowed: the mask must leave the owner's access alone and must not let others write (e.g. 077, 027, 007).");
        }

        return mask;
    }

    /// <summary>Sets the process's file-creation mask (nothing on Windows, whose files have no Unix modes).</summary>
    public static void Apply(int mask)
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = NativeMethods.umask((uint)mask);
        }
    }

    /// <summary>The mask as the usual three octal digits.</summary>
    public static string Describe(int mask) => Convert.ToString(mask, 8).PadLeft(3, '0');

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "umask")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern uint umask(uint mask);
    }
}
