/** The dashboard's operations (operations/*.graphql), each with the types generated for it. */
import { operation } from "./api.js";
import type * as T from "./generated/graphql.js";
import addMembership from "./operations/add-membership.graphql";
import changeHistory from "./operations/change-history.graphql";
import changeResponsibility from "./operations/change-responsibility.graphql";
import changes from "./operations/changes.graphql";
import createPerson from "./operations/create-person.graphql";
import deletePerson from "./operations/delete-person.graphql";
import departmentFamily from "./operations/department-family.graphql";
import departmentMatrix from "./operations/department-matrix.graphql";
import departments from "./operations/departments.graphql";
import editChoices from "./operations/edit-choices.graphql";
import editOrganisation from "./operations/edit-organisation.graphql";
import endMembership from "./operations/end-membership.graphql";
import gaps from "./operations/gaps.graphql";
import handoffs from "./operations/handoffs.graphql";
import journey from "./operations/journey.graphql";
import organisationDetails from "./operations/organisation-details.graphql";
import ownershipScorecard from "./operations/ownership-scorecard.graphql";
import personDetails from "./operations/person-details.graphql";
import personMemberships from "./operations/person-memberships.graphql";
import search from "./operations/search.graphql";
import serviceCounts from "./operations/service-counts.graphql";
import serviceStages from "./operations/service-stages.graphql";
import services from "./operations/services.graphql";
import servicesIn from "./operations/services-in.graphql";
import updateOrganisation from "./operations/update-organisation.graphql";
import updatePerson from "./operations/update-person.graphql";

export const operations = {
  addMembership: operation<T.AddMembershipMutation, T.AddMembershipMutationVariables>(addMembership),
  changeHistory: operation<T.ChangeHistoryQuery, T.ChangeHistoryQueryVariables>(changeHistory),
  changeResponsibility: operation<T.ChangeResponsibilityMutation, T.ChangeResponsibilityMutationVariables>(changeResponsibility),
  changes: operation<T.ChangesQuery, T.ChangesQueryVariables>(changes),
  createPerson: operation<T.CreatePersonMutation, T.CreatePersonMutationVariables>(createPerson),
  deletePerson: operation<T.DeletePersonMutation, T.DeletePersonMutationVariables>(deletePerson),
  departmentFamily: operation<T.DepartmentFamilyQuery, T.DepartmentFamilyQueryVariables>(departmentFamily),
  departmentNetwork: operation<T.DepartmentNetworkQuery, T.DepartmentNetworkQueryVariables>(departmentMatrix),
  departments: operation<T.DepartmentsQuery, T.DepartmentsQueryVariables>(departments),
  editChoices: operation<T.EditChoicesQuery, T.EditChoicesQueryVariables>(editChoices),
  editOrganisation: operation<T.EditOrganisationQuery, T.EditOrganisationQueryVariables>(editOrganisation),
  endMembership: operation<T.EndMembershipMutation, T.EndMembershipMutationVariables>(endMembership),
  gaps: operation<T.GapsQuery, T.GapsQueryVariables>(gaps),
  handoffs: operation<T.HandoffsQuery, T.HandoffsQueryVariables>(handoffs),
  journey: operation<T.JourneyMapQuery, T.JourneyMapQueryVariables>(journey),
  organisationDetails: operation<T.OrganisationDetailsQuery, T.OrganisationDetailsQueryVariables>(organisationDetails),
  ownershipScorecard: operation<T.OwnershipScorecardQuery, T.OwnershipScorecardQueryVariables>(ownershipScorecard),
  personDetails: operation<T.PersonDetailsQuery, T.PersonDetailsQueryVariables>(personDetails),
  personMemberships: operation<T.PersonMembershipsQuery, T.PersonMembershipsQueryVariables>(personMemberships),
  search: operation<T.SearchQuery, T.SearchQueryVariables>(search),
  serviceCounts: operation<T.ServiceCountsQuery, T.ServiceCountsQueryVariables>(serviceCounts),
  serviceStages: operation<T.ServiceStagesQuery, T.ServiceStagesQueryVariables>(serviceStages),
  services: operation<T.DashboardServicesQuery, T.DashboardServicesQueryVariables>(services),
  servicesIn: operation<T.ServicesInQuery, T.ServicesInQueryVariables>(servicesIn),
  updateOrganisation: operation<T.UpdateOrganisationMutation, T.UpdateOrganisationMutationVariables>(updateOrganisation),
  updatePerson: operation<T.UpdatePersonMutation, T.UpdatePersonMutationVariables>(updatePerson),
};

export type { T as Types };
