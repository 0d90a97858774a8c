import type { ImportSource } from "../source.js";
import { govukOrganisationsSource } from "./govuk-organisations.js";
import { govukServicesListSource } from "./govuk-services-list.js";
import { machineryOfGovernmentSource } from "./machinery-of-government.js";
import { organogramSource } from "./organogram.js";
import { professionStatisticsSource } from "./profession-statistics.js";
import { servicePortfolioSource } from "./service-portfolio.js";
import { stepByStepSource } from "./step-by-step.js";

/** Every source `npm run import` knows, by name. */
// Each source has its own record type; the runner is generic over it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const importSources: Record<string, ImportSource<any, any>> = {
  [govukOrganisationsSource.name]: govukOrganisationsSource,
  [stepByStepSource.name]: stepByStepSource,
  [professionStatisticsSource.name]: professionStatisticsSource,
  [servicePortfolioSource.name]: servicePortfolioSource,
  [organogramSource.name]: organogramSource,
  [govukServicesListSource.name]: govukServicesListSource,
  [machineryOfGovernmentSource.name]: machineryOfGovernmentSource,
};
