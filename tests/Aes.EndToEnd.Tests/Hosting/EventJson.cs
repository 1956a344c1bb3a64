using System.Text.Json;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>An event's amounts as its outbox row keeps them: a list of <c>{class, amount}</c>.</summary>
internal static class EventJson
{
    /// <summary>The amount of <paramref name="resourceClass"/> in the list <paramref name="property"/>, 0 when it is not there.</summary>
    public static long Amount(this JsonElement message, string property, string resourceClass) =>
        message.GetProperty(property).EnumerateArray().Where(a => a.GetProperty("class").GetString() == resourceClass).Sum(a => a.GetProperty("amount").GetInt64());
}
