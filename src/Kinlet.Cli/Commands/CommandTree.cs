using System.CommandLine;
using System.CommandLine.Help;
using Kinlet.Cli.Commands.Apply;
using Kinlet.Cli.Commands.Brokers;
using Kinlet.Cli.Commands.ConfigMaps;
using Kinlet.Cli.Commands.Events;
using Kinlet.Cli.Commands.Export;
using Kinlet.Cli.Commands.Functions;
using Kinlet.Cli.Commands.Invoke;
using Kinlet.Cli.Commands.Logs;
using Kinlet.Cli.Commands.Revisions;
using Kinlet.Cli.Commands.Routes;
using Kinlet.Cli.Commands.Secrets;
using Kinlet.Cli.Commands.Services;
using Kinlet.Cli.Commands.Sources;
using Kinlet.Cli.Commands.TrafficPolicy;
using Kinlet.Cli.Commands.Triggers;
using Kinlet.Cli.Commands.Version;

namespace Kinlet.Cli.Commands;

/// <summary>
/// The factory of the whole command line: a noun per resource (a folder under Commands/), a class per
/// verb. New nouns (broker, trigger, source ping, secret) and verbs (logs, deploy, init) are one line here.
/// </summary>
internal static class CommandTree
{
    public static RootCommand Build(CliContext c)
    {
        var root = new RootCommand("kinlet: deploy and call serverless functions on kinletd (Knative Serving on one Docker host)")
        {
            c.Globals.Api,
            c.Globals.Namespace,
            Noun("service", "Create, update, list, describe and delete services", ["services", "ksvc", "svc"],
                new ServiceCreateVerb(c), new ServiceUpdateVerb(c), new ServiceListVerb(c), new ServiceDescribeVerb(c), new ServiceDeleteVerb(c)),
            Noun("revision", "List, describe and delete revisions", ["revisions", "rev"],
                new RevisionListVerb(c), new RevisionDescribeVerb(c), new RevisionDeleteVerb(c)),
            Noun("route", "List and describe routes", ["routes"],
                new RouteListVerb(c), new RouteDescribeVerb(c)),
            Noun("vs", "List, describe and delete Istio virtual services (apply them with kinlet apply -f)", ["virtualservice", "virtualservices"],
                new VirtualServiceListVerb(c), new VirtualServiceDescribeVerb(c), new VirtualServiceDeleteVerb(c)),
            Noun("dr", "List, describe and delete Istio destination rules (apply them with kinlet apply -f)", ["destinationrule", "destinationrules"],
                new DestinationRuleListVerb(c), new DestinationRuleDescribeVerb(c), new DestinationRuleDeleteVerb(c)),
            Noun("broker", "Create, list, describe and delete brokers", ["brokers"],
                new BrokerCreateVerb(c), new BrokerListVerb(c), new BrokerDescribeVerb(c), new BrokerDeleteVerb(c)),
            Noun("trigger", "Create, list, describe and delete triggers; list and redrive their failed events", ["triggers"],
                new TriggerCreateVerb(c), new TriggerListVerb(c), new TriggerDescribeVerb(c), new TriggerDeleteVerb(c),
                new TriggerFailedVerb(c), new TriggerRedriveVerb(c)),
            Noun("event", "Send events", ["events"], new EventSendVerb(c)),
            Noun("secret", "Create, list and delete secrets", ["secrets"],
                new SecretCreateVerb(c), new SecretListVerb(c), new SecretDeleteVerb(c)),
            Noun("configmap", "Create, update, list, describe and delete config maps", ["configmaps", "cm"],
                new ConfigMapCreateVerb(c), new ConfigMapUpdateVerb(c), new ConfigMapListVerb(c), new ConfigMapDescribeVerb(c), new ConfigMapDeleteVerb(c)),
            Noun("source", "Event sources", ["sources"],
                Noun("ping", "Create, list, describe and delete ping (cron) sources", ["pingsource", "pingsources"],
                    new PingSourceCreateVerb(c), new PingSourceListVerb(c), new PingSourceDescribeVerb(c), new PingSourceDeleteVerb(c))),
            new ApplyVerb(c).Build(),
            new ExportVerb(c).Build(),
            new InvokeVerb(c).Build(),
            new InitVerb(c).Build(),
            new DeployVerb(c).Build(),
            new LogsVerb(c).Build(),
            new VersionVerb(c).Build(),
        };
        ShowHelpWithoutVerb(root);
        return root;
    }

    private static Command Noun(string name, string description, string[] aliases, params Verb[] verbs) =>
        Noun(name, description, aliases, [.. verbs.Select(v => v.Build())]);

    private static Command Noun(string name, string description, string[] aliases, params Command[] children)
    {
        var noun = new Command(name, description);
        foreach (var alias in aliases) noun.Aliases.Add(alias);
        foreach (var child in children) noun.Add(child);
        ShowHelpWithoutVerb(noun);
        return noun;
    }

    /// <summary><c>kinlet service</c> alone lists what it can do, as kn does, instead of a parse error.</summary>
    private static void ShowHelpWithoutVerb(Command command) =>
        command.SetAction(result =>
        {
            new HelpAction().Invoke(result);
            return ExitCodes.Success;
        });
}
