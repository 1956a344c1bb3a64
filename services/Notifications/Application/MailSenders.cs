using MailKit.Net.Smtp;
using MimeKit;

namespace Aes.Notifications.Application;

/// <summary>Where a rendered message goes: an SMTP server, or a folder of .eml files.</summary>
public interface IMailSender
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>Sends through the configured SMTP server with MailKit, over STARTTLS unless configured otherwise.</summary>
public sealed class SmtpMailSender(MailSettings settings) : IMailSender
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = 30_000 };
        await client.ConnectAsync(settings.Smtp.Host, settings.Smtp.Port, settings.Smtp.Security, cancellationToken);
        if (settings.Smtp.UserName.Length > 0)
        {
            await client.AuthenticateAsync(settings.Smtp.UserName, settings.Smtp.Password, cancellationToken);
        }
        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}

/// <summary>The embedded run's mailbox: each message as an .eml file, written whole then renamed, so a reader never sees half of one.</summary>
public sealed class PickupFolderMailSender(string folder) : IMailSender
{
    public string Folder { get; } = folder;

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        var name = $"{message.Date.UtcDateTime:yyyyMMdd'T'HHmmssfff}-{(message.MessageId ?? Guid.NewGuid().ToString("N")).Split('@')[0]}.eml";
        var partial = Path.Combine(Folder, "." + name + ".tmp");
        await using (var file = File.Create(partial))
        {
            await message.WriteToAsync(file, cancellationToken);
        }
        File.Move(partial, Path.Combine(Folder, name), overwrite: true);
    }
}
