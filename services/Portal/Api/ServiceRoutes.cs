using Aes.Messaging;
using A = Aes.Contracts.Audit.V1;
using B = Aes.Contracts.Billing.V1;
using N = Aes.Contracts.Notifications.V1;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.Portal.Api;

/// <summary>
/// The rest of what the portal can do, one endpoint per gRPC method: organisation (tenancy), capacity and
/// quotas, prices, invoices and settlements, agreements, auto-approval, and each service's audit trail.
/// </summary>
public static class ServiceRoutes
{
    public static RouteGroupBuilder MapServiceRoutes(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("").WithTags(ApiTags.Organisation);
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.ListMemberStatesRequest, T.ListMemberStatesResponse>("GET", "/states", (c, r, o) => c.ListMemberStatesAsync(r, o), "États membres / member states");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.GetMemberStateRequest, T.MemberState>("GET", "/states/{code}", (c, r, o) => c.GetMemberStateAsync(r, o), "Un État / one state");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.ListFacilitiesRequest, T.ListFacilitiesResponse>("GET", "/facilities", (c, r, o) => c.ListFacilitiesAsync(r, o), "Centres de données / facilities");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.ListResourceClassesRequest, T.ListResourceClassesResponse>("GET", "/resource-classes", (c, r, o) => c.ListResourceClassesAsync(r, o), "Classes de ressources / resource classes");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.DefineResourceClassRequest, T.ResourceClass>("POST", "/resource-classes", (c, r, o) => c.DefineResourceClassAsync(r, o), "Définir une classe de ressources / define a resource class");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.RegisterFacilityRequest, T.Facility>("POST", "/facilities", (c, r, o) => c.RegisterFacilityAsync(r, o), "Enregistrer un centre / register a facility", created: true);
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.GetFacilityRequest, T.Facility>("GET", "/facilities/{id}", (c, r, o) => c.GetFacilityAsync(r, o), "Un centre / one facility");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.ChangeFacilityStatusRequest, T.Facility>("POST", "/facilities/{id}/open", (c, r, o) => c.OpenFacilityAsync(r, o), "Ouvrir un centre / open a facility");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.ChangeFacilityStatusRequest, T.Facility>("POST", "/facilities/{id}/close", (c, r, o) => c.CloseFacilityAsync(r, o), "Fermer un centre / close a facility");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.SetFacilityCapacityRequest, T.Facility>("PUT", "/facilities/{id}/capacity", (c, r, o) => c.SetFacilityCapacityAsync(r, o), "Capacité installée d'un centre, par classe / a facility's installed capacity, by class");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.ListAgenciesRequest, T.ListAgenciesResponse>("GET", "/agencies", (c, r, o) => c.ListAgenciesAsync(r, o), "Organismes / agencies");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.RegisterAgencyRequest, T.Agency>("POST", "/agencies", (c, r, o) => c.RegisterAgencyAsync(r, o), "Enregistrer un organisme / register an agency", created: true);
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.GetAgencyRequest, T.Agency>("GET", "/agencies/{id}", (c, r, o) => c.GetAgencyAsync(r, o), "Un organisme / one agency");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.ListProjectsRequest, T.ListProjectsResponse>("GET", "/agencies/{agencyId}/projects", (c, r, o) => c.ListProjectsAsync(r, o), "Projets / projects");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.CreateProjectRequest, T.Project>("POST", "/agencies/{agencyId}/projects", (c, r, o) => c.CreateProjectAsync(r, o), "Créer un projet / create a project", created: true);
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.ListProjectMembersRequest, T.ProjectMembers>("GET", "/projects/{projectId}/members", (c, r, o) => c.ListProjectMembersAsync(r, o), "Membres d'un projet / a project's members");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.AddProjectMemberRequest, T.ProjectMembers>("POST", "/projects/{projectId}/members", (c, r, o) => c.AddProjectMemberAsync(r, o), "Ajouter un membre au projet / add a project member");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.RemoveProjectMemberRequest, T.ProjectMembers>("POST", "/projects/{projectId}/members/{userId}/remove", (c, r, o) => c.RemoveProjectMemberAsync(r, o), "Retirer un membre du projet / remove a project member");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.ListUsersRequest, T.ListUsersResponse>("GET", "/users", (c, r, o) => c.ListUsersAsync(r, o), "Utilisateurs / users");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.CreateUserRequest, T.User>("POST", "/users", (c, r, o) => c.CreateUserAsync(r, o), "Créer un utilisateur / create a user", created: true);
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.GetSignedInUserRequest, T.User>("GET", "/users/me", (c, r, o) => c.GetSignedInUserAsync(r, o), "L'utilisateur connecté / the signed-in user");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.GetUserRequest, T.User>("GET", "/users/{id}", (c, r, o) => c.GetUserAsync(r, o), "Un utilisateur / one user");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.AssignRoleRequest, T.User>("POST", "/users/{userId}/roles", (c, r, o) => c.AssignRoleAsync(r, o), "Attribuer un rôle / assign a role");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.RevokeRoleRequest, T.User>("POST", "/users/{userId}/roles/revoke", (c, r, o) => c.RevokeRoleAsync(r, o), "Retirer un rôle / revoke a role");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.CreateAutomationClientRequest, T.AutomationClient>("POST", "/automation-clients", (c, r, o) => c.CreateAutomationClientAsync(r, o), "Client d'automatisation / automation client");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.ListExternalIdentityLinksRequest, T.ListExternalIdentityLinksResponse>("GET", "/external-identities", (c, r, o) => c.ListExternalIdentityLinksAsync(r, o), "Comptes liés d'un fournisseur d'État / a state provider's linked accounts");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.LinkExternalIdentityRequest, T.ExternalIdentityLink>("POST", "/external-identities", (c, r, o) => c.LinkExternalIdentityAsync(r, o), "Lier un compte du fournisseur de l'État / link a state provider's account");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.UnlinkExternalIdentityRequest, T.ExternalIdentityLink>("POST", "/external-identities/unlink", (c, r, o) => c.UnlinkExternalIdentityAsync(r, o), "Délier un compte / unlink an account");

        api = v1.MapGroup("").WithTags(ApiTags.Agreements);
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.ListAgreementsRequest, T.ListAgreementsResponse>("GET", "/agreements", (c, r, o) => c.ListAgreementsAsync(r, o), "Accords confédéraux / confederal agreements");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.DraftAgreementRequest, T.Agreement>("POST", "/agreements", (c, r, o) => c.DraftAgreementAsync(r, o), "Rédiger un accord / draft an agreement", created: true);
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.GetAgreementRequest, T.Agreement>("GET", "/agreements/{id}", (c, r, o) => c.GetAgreementAsync(r, o), "Un accord / one agreement");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.SignAgreementRequest, T.Agreement>("POST", "/agreements/{agreementId}/sign", (c, r, o) => c.SignAgreementAsync(r, o), "Signer / sign");
        api.MapRpc<T.TenancyService.TenancyServiceClient, T.TerminateAgreementRequest, T.Agreement>("POST", "/agreements/{agreementId}/terminate", (c, r, o) => c.TerminateAgreementAsync(r, o), "Mettre fin / terminate");

        api = v1.MapGroup("").WithTags(ApiTags.Capacity);
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.ListPoolsRequest, Q.ListPoolsResponse>("GET", "/pools", (c, r, o) => c.ListPoolsAsync(r, o), "Réserves de capacité / capacity pools");
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.CreatePoolRequest, Q.Pool>("POST", "/pools", (c, r, o) => c.CreatePoolAsync(r, o), "Créer une réserve / create a pool", created: true);
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.GetPoolRequest, Q.Pool>("GET", "/pools/{id}", (c, r, o) => c.GetPoolAsync(r, o), "Une réserve et son inventaire / one pool and its inventory");
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.SetInventoryRequest, Q.Pool>("PUT", "/pools/{poolId}/inventories/{resourceClass}", (c, r, o) => c.SetInventoryAsync(r, o), "Fixer un inventaire / set an inventory");
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.GetAllocationHistoryRequest, Q.AllocationHistory>("GET", "/pools/{poolId}/allocation-history", (c, r, o) => c.GetAllocationHistoryAsync(r, o), "Allocation au fil du temps / allocation over time");
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.GetUsageRequest, Q.Usage>("GET", "/usage", (c, r, o) => c.GetUsageAsync(r, o), "Utilisation et marge / usage and headroom");
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.ListCandidatesRequest, Q.ListCandidatesResponse>("POST", "/candidates", (c, r, o) => c.ListCandidatesAsync(r, o), "Où cela tiendrait / where it would fit");
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.SetStateDefaultQuotaRequest, Q.StateDefaultQuota>("PUT", "/states/{stateCode}/default-quota", (c, r, o) => c.SetStateDefaultQuotaAsync(r, o), "Quota par défaut de l'État / state default quota");
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.GetAgencyQuotaRequest, Q.AgencyQuota>("GET", "/agencies/{agencyId}/quota", (c, r, o) => c.GetAgencyQuotaAsync(r, o), "Quota d'un organisme / an agency's quota");
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.ListQuotaHistoryRequest, Q.ListQuotaHistoryResponse>("GET", "/agencies/{agencyId}/quota/history", (c, r, o) => c.ListQuotaHistoryAsync(r, o), "Historique du quota / quota history");
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.ListQuotaChangeRequestsRequest, Q.ListQuotaChangeRequestsResponse>("GET", "/quota-changes", (c, r, o) => c.ListQuotaChangeRequestsAsync(r, o), "Demandes de changement de quota / quota-change requests");
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.RequestQuotaChangeRequest, Q.QuotaChangeRequest>("POST", "/quota-changes", (c, r, o) => c.RequestQuotaChangeAsync(r, o), "Demander un changement / ask for a change", created: true);
        api.MapRpc<Q.QuotaService.QuotaServiceClient, Q.DecideQuotaChangeRequest, Q.QuotaChangeRequest>("POST", "/quota-changes/{requestId}/decision", (c, r, o) => c.DecideQuotaChangeAsync(r, o), "Approuver ou rejeter / approve or reject");

        api = v1.MapGroup("").WithTags(ApiTags.Requests);
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.ListCatalogueRequest, P.Catalogue>("GET", "/catalogue", (c, r, o) => c.ListCatalogueAsync(r, o), "Catalogue des gabarits / flavour catalogue");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.ResizeVmRequest, P.Vm>("POST", "/vms/{vmId}/resize", (c, r, o) => c.ResizeVmAsync(r, o), "Redimensionner / resize");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.ListFacilityVmsRequest, P.ListFacilityVmsResponse>("GET", "/facilities/{facilityId}/vms", (c, r, o) => c.ListFacilityVmsAsync(r, o), "VM hébergées dans un centre / VMs hosted in a facility");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.GetAutoApprovalPolicyRequest, P.AutoApprovalPolicy>("GET", "/states/{stateCode}/auto-approval", (c, r, o) => c.GetAutoApprovalPolicyAsync(r, o), "Politique d'approbation automatique / auto-approval policy");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.SetAutoApprovalPolicyRequest, P.AutoApprovalPolicy>("PUT", "/auto-approval", (c, r, o) => c.SetAutoApprovalPolicyAsync(r, o), "Fixer la politique / set the policy");

        api = v1.MapGroup("").WithTags(ApiTags.Facilities);
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.FacilityIdRequest, P.FacilityConnection>("GET", "/facilities/{facilityId}/connection", (c, r, o) => c.GetFacilityConnectionAsync(r, o), "Nuage du centre / the facility's cloud");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.ConnectFacilityRequest, P.FacilityConnection>("PUT", "/facilities/{facilityId}/connection", (c, r, o) => c.ConnectFacilityAsync(r, o), "Relier le centre à son nuage / connect the facility to its cloud");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.FacilityIdRequest, P.FacilityConnectionTest>("GET", "/facilities/{facilityId}/connection/test", (c, r, o) => c.TestFacilityConnectionAsync(r, o), "Tester la connexion / test the connection");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.FacilityIdRequest, P.FacilityCatalogue>("GET", "/facilities/{facilityId}/catalogue", (c, r, o) => c.GetFacilityCatalogueAsync(r, o), "Catalogue du centre / the facility's catalogue");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.RefreshFacilityCatalogueRequest, P.FacilityCatalogue>("POST", "/facilities/{facilityId}/catalogue/refresh", (c, r, o) => c.RefreshFacilityCatalogueAsync(r, o), "Relire le catalogue / read the catalogue again");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.MapFacilityCatalogueRequest, P.FacilityCatalogue>("PUT", "/facilities/{facilityId}/catalogue/flavours/{nativeId}", (c, r, o) => c.MapFacilityFlavourAsync(r, o), "Offrir un gabarit du centre / offer a facility's flavour");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.MapFacilityCatalogueRequest, P.FacilityCatalogue>("PUT", "/facilities/{facilityId}/catalogue/images/{nativeId}", (c, r, o) => c.MapFacilityImageAsync(r, o), "Offrir une image du centre / offer a facility's image");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.ListReconciliationFindingsRequest, P.ListReconciliationFindingsResponse>("GET", "/findings", (c, r, o) => c.ListReconciliationFindingsAsync(r, o), "Écarts de la réconciliation / reconciliation's findings");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.FacilityIdRequest, P.FacilityAvailability>("GET", "/facilities/{facilityId}/availability", (c, r, o) => c.GetFacilityAvailabilityAsync(r, o), "Disponibilité mesurée et pannes / measured availability and outages");

        api = v1.MapGroup("").WithTags(ApiTags.Billing);
        api.MapRpc<B.BillingService.BillingServiceClient, B.ListAccountsRequest, B.ListAccountsResponse>("GET", "/accounts", (c, r, o) => c.ListAccountsAsync(r, o), "Comptes de facturation / billing accounts");
        api.MapRpc<B.BillingService.BillingServiceClient, B.ListPriceCataloguesRequest, B.ListPriceCataloguesResponse>("GET", "/prices", (c, r, o) => c.ListPriceCataloguesAsync(r, o), "Grilles tarifaires / price catalogues");
        api.MapRpc<B.BillingService.BillingServiceClient, B.SetPriceCatalogueRequest, B.PriceCatalogue>("POST", "/prices", (c, r, o) => c.SetPriceCatalogueAsync(r, o), "Publier une grille / publish a catalogue", created: true);
        api.MapRpc<B.BillingService.BillingServiceClient, B.ListUsageRequest, B.ListUsageResponse>("GET", "/metered-usage", (c, r, o) => c.ListUsageAsync(r, o), "Consommation mesurée / metered usage");
        api.MapRpc<B.BillingService.BillingServiceClient, B.ListInvoicesRequest, B.ListInvoicesResponse>("GET", "/invoices", (c, r, o) => c.ListInvoicesAsync(r, o), "Factures / invoices");
        api.MapRpc<B.BillingService.BillingServiceClient, B.DraftInvoiceRequest, B.Invoice>("POST", "/invoices", (c, r, o) => c.DraftInvoiceAsync(r, o), "Préparer une facture / draft an invoice", created: true);
        api.MapRpc<B.BillingService.BillingServiceClient, B.DraftInvoicesRequest, B.DraftInvoicesResponse>("POST", "/invoices/drafts", (c, r, o) => c.DraftInvoicesAsync(r, o), "Préparer les factures du mois / draft the month's invoices");
        api.MapRpc<B.BillingService.BillingServiceClient, B.ExportInvoicesRequest, B.Document>("GET", "/invoices/export", (c, r, o) => c.ExportInvoicesAsync(r, o), "Export comptable / accounting export");
        api.MapRpc<B.BillingService.BillingServiceClient, B.GetInvoiceRequest, B.Invoice>("GET", "/invoices/{invoiceId}", (c, r, o) => c.GetInvoiceAsync(r, o), "Une facture / one invoice");
        api.MapRpc<B.BillingService.BillingServiceClient, B.RenderInvoiceRequest, B.Document>("GET", "/invoices/{invoiceId}/document", (c, r, o) => c.RenderInvoiceAsync(r, o), "Facture imprimable / printable invoice");
        api.MapRpc<B.BillingService.BillingServiceClient, B.InvoiceActionRequest, B.Invoice>("POST", "/invoices/{invoiceId}/issue", (c, r, o) => c.IssueInvoiceAsync(r, o), "Émettre / issue");
        api.MapRpc<B.BillingService.BillingServiceClient, B.InvoiceActionRequest, B.Invoice>("POST", "/invoices/{invoiceId}/pay", (c, r, o) => c.PayInvoiceAsync(r, o), "Marquer payée / mark paid");
        api.MapRpc<B.BillingService.BillingServiceClient, B.CancelInvoiceRequest, B.Invoice>("POST", "/invoices/{invoiceId}/cancel", (c, r, o) => c.CancelInvoiceAsync(r, o), "Annuler / cancel");
        api.MapRpc<B.BillingService.BillingServiceClient, B.IssueCreditNoteRequest, B.Invoice>("POST", "/invoices/{invoiceId}/credit-notes", (c, r, o) => c.IssueCreditNoteAsync(r, o), "Avoir / credit note");
        api.MapRpc<B.BillingService.BillingServiceClient, B.GetSettlementRequest, B.Settlement>("GET", "/settlements/{month}", (c, r, o) => c.GetSettlementAsync(r, o), "Règlement mensuel entre États / monthly settlement between states");
        api.MapRpc<B.BillingService.BillingServiceClient, B.CloseSettlementRequest, B.Settlement>("POST", "/settlements/{month}/close", (c, r, o) => c.CloseSettlementAsync(r, o), "Clore le mois / close the month");
        api.MapRpc<B.BillingService.BillingServiceClient, B.AuditLedgerRequest, B.LedgerAudit>("GET", "/ledger/audit", (c, r, o) => c.AuditLedgerAsync(r, o), "Contrôle du grand livre / ledger check");
        api.MapRpc<B.BillingService.BillingServiceClient, B.ListLedgerBalancesRequest, B.ListLedgerBalancesResponse>("GET", "/ledger/balances", (c, r, o) => c.ListLedgerBalancesAsync(r, o), "Soldes / balances");

        api = v1.MapGroup("").WithTags(ApiTags.Repatriation);
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.ListCampaignsRequest, P.ListCampaignsResponse>("GET", "/campaigns", (c, r, o) => c.ListCampaignsAsync(r, o), "Campagnes d'un État / a state's campaigns");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.CreateCampaignRequest, P.Campaign>("POST", "/campaigns", (c, r, o) => c.CreateCampaignAsync(r, o), "Créer une campagne / create a campaign", created: true);
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.CampaignIdRequest, P.Campaign>("GET", "/campaigns/{campaignId}", (c, r, o) => c.GetCampaignAsync(r, o), "Une campagne et son dernier plan / one campaign and its last plan");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.ImportCampaignWorkloadsRequest, P.CampaignImport>("POST", "/campaigns/{campaignId}/imports", (c, r, o) => c.ImportCampaignWorkloadsAsync(r, o), "Importer des charges (CSV ou JSON, en une ou plusieurs parties) / import workloads (CSV or JSON, whole or in parts)");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.PlanCampaignRequest, P.CampaignPlan>("POST", "/campaigns/{campaignId}/plan", (c, r, o) => c.PlanCampaignAsync(r, o), "Planifier sans rien réserver / plan without reserving anything");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.ListCampaignWorkloadsRequest, P.ListCampaignWorkloadsResponse>("GET", "/campaigns/{campaignId}/workloads", (c, r, o) => c.ListCampaignWorkloadsAsync(r, o), "Charges de la campagne : place au plan, étape, encore à l'étranger (still_abroad) / the campaign's workloads: place in the plan, step, still abroad (still_abroad)");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.LaunchCampaignWaveRequest, P.CampaignWaveLaunch>("POST", "/campaigns/{campaignId}/waves/{wave}/launch", (c, r, o) => c.LaunchCampaignWaveAsync(r, o), "Lancer une vague : une demande d'hébergement par charge / launch a wave: a hosting request per workload");
        api.MapRpc<P.ProvisioningService.ProvisioningServiceClient, P.RecordCampaignStepRequest, P.CampaignWorkload>("POST", "/campaigns/{campaignId}/steps", (c, r, o) => c.RecordCampaignStepAsync(r, o), "Enregistrer une étape : données transférées, bascule, copie étrangère supprimée / record a step: data transferred, cut over, foreign copy deleted");

        api = v1.MapGroup("").WithTags(ApiTags.Notifications);
        api.MapRpc<N.NotificationService.NotificationServiceClient, N.GetMyPreferencesRequest, N.Preferences>("GET", "/notifications/preferences", (c, r, o) => c.GetMyPreferencesAsync(r, o), "Mes préférences de notification / my notification preferences");
        api.MapRpc<N.NotificationService.NotificationServiceClient, N.SetMyPreferencesRequest, N.Preferences>("PUT", "/notifications/preferences", (c, r, o) => c.SetMyPreferencesAsync(r, o), "Changer mes préférences / change my preferences");
        api.MapRpc<N.NotificationService.NotificationServiceClient, N.ListMyMessagesRequest, N.ListMyMessagesResponse>("GET", "/notifications/messages", (c, r, o) => c.ListMyMessagesAsync(r, o), "Mes messages / my messages");
        api.MapRpc<N.NotificationService.NotificationServiceClient, N.ListWebhooksRequest, N.ListWebhooksResponse>("GET", "/webhooks", (c, r, o) => c.ListWebhooksAsync(r, o), "Webhooks d'un organisme ou d'un État / an agency's or a state's webhooks");
        api.MapRpc<N.NotificationService.NotificationServiceClient, N.CreateWebhookRequest, N.CreatedWebhook>("POST", "/webhooks", (c, r, o) => c.CreateWebhookAsync(r, o), "Enregistrer un webhook (secret montré une fois) / register a webhook (secret shown once)", created: true);
        api.MapRpc<N.NotificationService.NotificationServiceClient, N.RotateWebhookSecretRequest, N.CreatedWebhook>("POST", "/webhooks/{id}/rotate-secret", (c, r, o) => c.RotateWebhookSecretAsync(r, o), "Nouveau secret (montré une fois) / new secret (shown once)");
        api.MapRpc<N.NotificationService.NotificationServiceClient, N.DeleteWebhookRequest, N.Webhook>("POST", "/webhooks/{id}/delete", (c, r, o) => c.DeleteWebhookAsync(r, o), "Supprimer un webhook / delete a webhook");
        api.MapRpc<N.NotificationService.NotificationServiceClient, N.ListWebhookDeliveriesRequest, N.ListWebhookDeliveriesResponse>("GET", "/webhooks/{webhookId}/deliveries", (c, r, o) => c.ListWebhookDeliveriesAsync(r, o), "Envois et tentatives / deliveries and attempts");

        api = v1.MapGroup("").WithTags(ApiTags.Audit);
        foreach (var service in ResourceNames.Services)
        {
            api.MapRpc<A.AuditTrail.AuditTrailClient, A.ListAuditEntriesRequest, A.ListAuditEntriesResponse>("GET", $"/audit/{service}/entries", (c, r, o) => c.ListEntriesAsync(r, o), $"Journal d'audit de {service} / {service}'s audit trail", service: service);
            api.MapRpc<A.AuditTrail.AuditTrailClient, A.VerifyAuditTrailRequest, A.AuditVerification>("GET", $"/audit/{service}/verify", (c, r, o) => c.VerifyAsync(r, o), $"Vérifier le journal de {service} / verify {service}'s trail", service: service);
        }
        return v1;
    }
}
