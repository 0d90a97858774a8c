/** The dashboard's operations (operations/*.graphql), each with the types generated for it. */
import { operation } from "./api.js";
import type * as T from "./generated/graphql.js";
import changes from "./operations/changes.graphql";
import departmentFamily from "./operations/department-family.graphql";
import departmentMatrix from "./operations/department-matrix.graphql";
import departments from "./operations/departments.graphql";
import gaps from "./operations/gaps.graphql";
import handoffs from "./operations/handoffs.graphql";
import journey from "./operations/journey.graphql";
import organisationDetails from "./operations/organisation-details.graphql";
import ownershipScorecard from "./operations/ownership-scorecard.graphql";
import personDetails from "./operations/person-details.graphql";
import search from "./operations/search.graphql";
import serviceCounts from "./operations/service-counts.graphql";
import services from "./operations/services.graphql";
import servicesIn from "./operations/services-in.graphql";

export const operations = {
  changes: operation<T.ChangesQuery, T.ChangesQueryVariables>(changes),
  departmentFamily: operation<T.DepartmentFamilyQuery, T.DepartmentFamilyQueryVariables>(departmentFamily),
  departmentNetwork: operation<T.DepartmentNetworkQuery, T.DepartmentNetworkQueryVariables>(departmentMatrix),
  departments: operation<T.DepartmentsQuery, T.DepartmentsQueryVariables>(departments),
  gaps: operation<T.GapsQuery, T.GapsQueryVariables>(gaps),
  handoffs: operation<T.HandoffsQuery, T.HandoffsQueryVariables>(handoffs),
  journey: operation<T.JourneyMapQuery, T.JourneyMapQueryVariables>(journey),
  organisationDetails: operation<T.OrganisationDetailsQuery, T.OrganisationDetailsQueryVariables>(organisationDetails),
  ownershipScorecard: operation<T.OwnershipScorecardQuery, T.OwnershipScorecardQueryVariables>(ownershipScorecard),
  personDetails: operation<T.PersonDetailsQuery, T.PersonDetailsQueryVariables>(personDetails),
  search: operation<T.SearchQuery, T.SearchQueryVariables>(search),
  serviceCounts: operation<T.ServiceCountsQuery, T.ServiceCountsQueryVariables>(serviceCounts),
  services: operation<T.DashboardServicesQuery, T.DashboardServicesQueryVariables>(services),
  servicesIn: operation<T.ServicesInQuery, T.ServicesInQueryVariables>(servicesIn),
};

export type { T as Types };
