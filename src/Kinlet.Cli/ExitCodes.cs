namespace Kinlet.Cli;

/// <summary>Every exit code <c>kinlet</c> returns, in one place, so scripts can rely on them.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Anything else: the daemon rejected the request, a server error, an unexpected failure.</summary>
    public const int Failure = 1;
    /// <summary>Bad flags or arguments, caught before anything was sent.</summary>
    public const int Usage = 2;
    /// <summary>kinletd does not answer at the API URL.</summary>
    public const int Unreachable = 3;
    /// <summary>kinletd refused the token (401).</summary>
    public const int Unauthorized = 4;
    public const int NotFound = 5;
    /// <summary>The resource exists already, or is in use (a routed revision).</summary>
    public const int Conflict = 6;
    /// <summary>The service reached Ready=False.</summary>
    public const int NotReady = 7;
    /// <summary>Waiting for Ready took longer than <c>--wait-timeout</c>.</summary>
    public const int Timeout = 8;
    /// <summary><c>kinlet invoke</c> got a non-2xx answer from the function.</summary>
    public const int HttpError = 9;
    /// <summary><c>kinlet deploy</c>: the image build failed (the running revision is untouched).</summary>
    public const int BuildFailed = 10;
    /// <summary>Interrupted (Ctrl-C), as shells report SIGINT.</summary>
    public const int Canceled = 130;
}
