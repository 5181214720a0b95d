using System.Runtime.InteropServices;

/// <summary>Makes SIGINT and SIGTERM reach the silo's shutdown even when its parent started it with them ignored.</summary>
/// <remarks>
/// A shell without job control starts background commands with SIGINT ignored, and the runtime keeps
/// SIGINT ignored for good when it is ignored at its first signal-handling use (Console, Process,
/// PosixSignalRegistration). redis-server installs its handlers for both signals whatever it inherited,
/// so a silo restores both.
/// </remarks>
internal static partial class ShutdownSignals
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private const nint SigDfl = 0;

    /// <summary>Restores the default disposition; call before anything touches the console or signals.</summary>
    public static void RestoreDefaults()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            Signal(SigInt, SigDfl);
            Signal(SigTerm, SigDfl);
        }
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
