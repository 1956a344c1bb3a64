global using Aes.Messaging;
global using Aes.Notifications.Data;
global using Aes.Notifications.Domain;
global using MassTransit;
global using Microsoft.EntityFrameworkCore;
global using Aes.Messaging.Persistence;
