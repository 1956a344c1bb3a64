global using Aes.Messaging;
global using Aes.ServiceDefaults.Errors;
global using Aes.Billing.Data;
global using MassTransit;
global using Microsoft.EntityFrameworkCore;
global using Aes.Billing.Domain;
global using Aes.Messaging.Persistence;
