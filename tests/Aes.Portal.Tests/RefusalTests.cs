using System.Globalization;
using Aes.Portal.Web;
using Grpc.Core;

namespace Aes.Portal.Tests;

/// <summary>How a service's refusal reads on a page: the field named once, in the reader's language.</summary>
public sealed class RefusalTests
{
    [Fact]
    public void A_refusal_names_its_field_once_whether_or_not_the_service_wording_already_does()
    {
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = Language.French;
            // The services word a field's refusal "subject : …" themselves: the page does not say "subject : subject : …".
            Assert.Equal("subject : est déjà lié.", new Refusal(StatusCode.InvalidArgument, "subject : est déjà lié.", "subject: is already linked.", "subject").ToString());
            Assert.Equal("name : est obligatoire.", new Refusal(StatusCode.InvalidArgument, "est obligatoire.", "is required.", "name").ToString());
            Assert.Equal("Accès refusé.", new Refusal(StatusCode.PermissionDenied, "Accès refusé.", "Access denied.", null).ToString());
            CultureInfo.CurrentUICulture = Language.English;
            Assert.Equal("subject: is already linked.", new Refusal(StatusCode.InvalidArgument, "subject : est déjà lié.", "subject: is already linked.", "subject").ToString());
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
