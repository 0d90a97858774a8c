/**
 * The Starting a Business service, its community and two communities of practice, as demo data.
 * The organisations and their responsibilities follow what each body does for a new business;
 * the people are fictional (their surnames say so) and so are their roles and memberships.
 */

export type Lane = "FRONTSTAGE" | "BACKSTAGE" | "SUPPORT";

/** The February 2023 machinery-of-government change that closed BEIS and DIT. */
const mog2023 = "2023-02-07";
/** The change's announcement: what dates the responsibilities that moved from BEIS and DIT to DBT. */
export const mog2023Announcement = "https://www.gov.uk/government/news/making-government-deliver-for-the-british-people";
/** Where the seed's Starting a Business facts come from, as a source is named (`<import source>:<file>`). */
export const startingABusinessSource = "seed:data/seed/starting-a-business.ts";

export interface StageSeed {
  id: string;
  name: string;
  description: string;
  responsible: { organisation: string; lane: Lane; since?: string; until?: string }[];
  /** The professions the stage needs among the people working on it (profession ids). */
  expects: string[];
}

export interface ServiceSeed {
  id: string;
  name: string;
  description: string;
  url: string;
  owners: string[];
  stages: StageSeed[];
}

export const startingABusiness: ServiceSeed = {
  id: "starting-a-business",
  name: "Starting a Business",
  description:
    "Everything a person does to start and grow a business in the UK, from checking they can start to trading abroad. " +
    // Which departments it crosses depends on the date (the journey's summary names them as at the day shown).
    "No one department delivers it: it crosses the tax, company, business, employment, education and pensions bodies of government.",
  url: "https://www.gov.uk/browse/business/setting-up",
  owners: ["department-for-business-and-trade"],
  stages: [
    {
      id: "sab-check-you-can-start",
      expects: ["policy", "digital-data-and-technology"],
      name: "Check you can start a business",
      description: "Find out what you need to do to set up, and whether you need a licence or permission.",
      responsible: [
        { organisation: "department-for-business-and-trade", lane: "FRONTSTAGE", since: mog2023 },
        { organisation: "department-for-business-energy-and-industrial-strategy", lane: "FRONTSTAGE", until: mog2023 },
        { organisation: "british-business-bank", lane: "SUPPORT" },
      ],
    },
    {
      id: "sab-choose-a-structure",
      expects: ["policy", "legal"],
      name: "Choose a business structure",
      description: "Decide between sole trader, partnership and limited company.",
      responsible: [
        { organisation: "companies-house", lane: "FRONTSTAGE" },
        { organisation: "hm-revenue-customs", lane: "FRONTSTAGE" },
        { organisation: "department-for-business-and-trade", lane: "SUPPORT", since: mog2023 },
        { organisation: "department-for-business-energy-and-industrial-strategy", lane: "SUPPORT", until: mog2023 },
      ],
    },
    {
      id: "sab-register-the-company",
      expects: ["operational-delivery", "digital-data-and-technology"],
      name: "Register the company",
      description: "Incorporate a limited company with Companies House, or register a partnership.",
      responsible: [
        { organisation: "companies-house", lane: "FRONTSTAGE" },
        { organisation: "hm-revenue-customs", lane: "BACKSTAGE" },
        { organisation: "department-for-business-and-trade", lane: "SUPPORT", since: mog2023 },
        { organisation: "department-for-business-energy-and-industrial-strategy", lane: "SUPPORT", until: mog2023 },
      ],
    },
    {
      id: "sab-register-for-taxes",
      expects: ["tax", "digital-data-and-technology"],
      name: "Register for taxes",
      description: "Register for Self Assessment or Corporation Tax, and for VAT when turnover passes the threshold.",
      responsible: [
        { organisation: "hm-revenue-customs", lane: "FRONTSTAGE" },
        { organisation: "companies-house", lane: "BACKSTAGE" },
      ],
    },
    {
      id: "sab-find-finance",
      expects: ["economics", "commercial"],
      name: "Find finance and support",
      description: "Start Up Loans, finance partners and local business support.",
      responsible: [
        { organisation: "british-business-bank", lane: "FRONTSTAGE" },
        { organisation: "department-for-business-and-trade", lane: "SUPPORT", since: mog2023 },
        { organisation: "department-for-business-energy-and-industrial-strategy", lane: "SUPPORT", until: mog2023 },
      ],
    },
    {
      id: "sab-employ-people",
      expects: ["operational-delivery", "legal"],
      name: "Employ people",
      description: "Register as an employer, run PAYE, check the right to work and recruit through Jobcentre Plus.",
      responsible: [
        { organisation: "hm-revenue-customs", lane: "FRONTSTAGE" },
        { organisation: "department-for-work-pensions", lane: "FRONTSTAGE" },
        { organisation: "home-office", lane: "BACKSTAGE" },
      ],
    },
    {
      id: "sab-workplace-pensions",
      expects: ["legal", "communications"],
      name: "Set up a workplace pension",
      description: "Automatically enrol eligible staff into a workplace pension and declare compliance.",
      responsible: [
        { organisation: "the-pensions-regulator", lane: "FRONTSTAGE" },
        { organisation: "department-for-work-pensions", lane: "SUPPORT" },
      ],
    },
    {
      id: "sab-apprenticeships-and-skills",
      expects: ["operational-delivery", "digital-data-and-technology"],
      name: "Take on apprentices and build skills",
      description: "Hire an apprentice through the apprenticeship service and pay or use the levy.",
      responsible: [
        { organisation: "department-for-education", lane: "FRONTSTAGE" },
        { organisation: "hm-revenue-customs", lane: "BACKSTAGE" },
      ],
    },
    {
      id: "sab-trade-abroad",
      expects: ["international-trade", "tax"],
      name: "Trade abroad",
      description: "Export and import: customs registration, export support and export finance.",
      responsible: [
        { organisation: "department-for-business-and-trade", lane: "FRONTSTAGE", since: mog2023 },
        { organisation: "department-for-international-trade", lane: "FRONTSTAGE", until: mog2023 },
        { organisation: "hm-revenue-customs", lane: "BACKSTAGE" },
        { organisation: "uk-export-finance", lane: "SUPPORT" },
      ],
    },
  ],
};

export interface CommunitySeed {
  id: string;
  name: string;
  kind: "SERVICE_COMMUNITY" | "COMMUNITY_OF_PRACTICE";
  description: string;
  focusesOn: string[];
}

export const communities: CommunitySeed[] = [
  {
    id: "starting-a-business-community",
    name: "Starting a Business service community",
    kind: "SERVICE_COMMUNITY",
    description: "People from every organisation that touches Starting a Business, across professions, working on the journey as one.",
    focusesOn: ["starting-a-business"],
  },
  {
    id: "accessibility-community",
    name: "Accessibility community of practice",
    kind: "COMMUNITY_OF_PRACTICE",
    description: "Everyone who makes government services work for disabled people.",
    focusesOn: [],
  },
  {
    id: "agile-delivery-community",
    name: "Agile delivery community of practice",
    kind: "COMMUNITY_OF_PRACTICE",
    description: "Delivery managers and others who run agile teams in government.",
    focusesOn: [],
  },
];

export interface PersonSeed {
  id: string;
  name: string;
  jobTitle: string;
  grade: string;
  organisation: string;
  /** When the person left the organisation, if they have. */
  employedUntil?: string;
  profession: string;
  /**
   * When they took up the profession and, if they have stopped, when: only where the source says.
   * No demo person's source gives either, so every demo profession is open, its start unknown.
   */
  professionSince?: string;
  professionUntil?: string;
  communities: { id: string; role: string; since: string }[];
  stages: { id: string; role: string; until?: string }[];
}

const sab = "starting-a-business-community";
const a11y = "accessibility-community";
const agile = "agile-delivery-community";

export const people: PersonSeed[] = [
  {
    id: "demo-person-01",
    name: "Amara Example",
    jobTitle: "Service owner, Starting a Business",
    grade: "SCS1",
    organisation: "department-for-business-and-trade",
    profession: "policy",
    communities: [{ id: sab, role: "lead", since: "2023-03-01" }],
    stages: [
      { id: "sab-check-you-can-start", role: "service owner" },
      { id: "sab-find-finance", role: "service owner" },
      { id: "sab-trade-abroad", role: "service owner" },
    ],
  },
  {
    id: "demo-person-02",
    name: "Ben Sample",
    jobTitle: "Policy adviser, company law",
    grade: "Grade 7",
    organisation: "department-for-business-and-trade",
    profession: "policy",
    communities: [{ id: sab, role: "member", since: "2023-04-12" }],
    stages: [
      { id: "sab-choose-a-structure", role: "policy lead" },
      { id: "sab-register-the-company", role: "policy lead" },
    ],
  },
  {
    id: "demo-person-03",
    name: "Chidi Placeholder",
    jobTitle: "Head of incorporation services",
    grade: "Grade 6",
    organisation: "companies-house",
    profession: "operational-delivery",
    communities: [{ id: sab, role: "member", since: "2023-03-01" }],
    stages: [
      { id: "sab-register-the-company", role: "operations lead" },
      { id: "sab-choose-a-structure", role: "content owner" },
    ],
  },
  {
    id: "demo-person-04",
    name: "Dana Testcase",
    jobTitle: "Product manager, register a company",
    grade: "Grade 7",
    organisation: "companies-house",
    profession: "digital-data-and-technology",
    communities: [
      { id: sab, role: "member", since: "2023-05-02" },
      { id: agile, role: "member", since: "2021-09-01" },
    ],
    stages: [{ id: "sab-register-the-company", role: "product manager" }],
  },
  {
    id: "demo-person-05",
    name: "Eitan Mockingbird",
    jobTitle: "Tax specialist, new business registration",
    grade: "SEO",
    organisation: "hm-revenue-customs",
    profession: "tax",
    communities: [{ id: sab, role: "member", since: "2023-03-01" }],
    stages: [
      { id: "sab-register-for-taxes", role: "tax specialist" },
      { id: "sab-choose-a-structure", role: "tax specialist" },
    ],
  },
  {
    id: "demo-person-06",
    name: "Fatima Dummy",
    jobTitle: "Delivery manager, PAYE registration",
    grade: "Grade 7",
    organisation: "hm-revenue-customs",
    profession: "project-delivery",
    communities: [
      { id: sab, role: "member", since: "2023-06-19" },
      { id: agile, role: "convenor", since: "2020-01-15" },
    ],
    stages: [{ id: "sab-employ-people", role: "delivery manager" }],
  },
  {
    id: "demo-person-07",
    name: "Gareth Fixture",
    jobTitle: "User researcher, business tax",
    grade: "HEO",
    organisation: "hm-revenue-customs",
    profession: "digital-data-and-technology",
    communities: [
      { id: sab, role: "member", since: "2023-07-03" },
      { id: a11y, role: "member", since: "2022-02-01" },
    ],
    stages: [
      { id: "sab-register-for-taxes", role: "user researcher" },
      { id: "sab-apprenticeships-and-skills", role: "user researcher" },
    ],
  },
  {
    id: "demo-person-08",
    name: "Hana Stub",
    jobTitle: "Work coach team leader, employer services",
    grade: "EO",
    organisation: "department-for-work-pensions",
    profession: "operational-delivery",
    communities: [{ id: sab, role: "member", since: "2023-03-20" }],
    stages: [{ id: "sab-employ-people", role: "employer adviser" }],
  },
  {
    id: "demo-person-09",
    name: "Ivan Example",
    jobTitle: "Policy lead, automatic enrolment",
    grade: "Grade 7",
    organisation: "department-for-work-pensions",
    profession: "policy",
    communities: [{ id: sab, role: "member", since: "2023-03-20" }],
    stages: [{ id: "sab-workplace-pensions", role: "policy lead" }],
  },
  {
    id: "demo-person-10",
    name: "Jess Sample",
    jobTitle: "Accessibility specialist",
    grade: "SEO",
    organisation: "department-for-work-pensions",
    profession: "digital-data-and-technology",
    communities: [
      { id: a11y, role: "lead", since: "2019-11-04" },
      { id: sab, role: "member", since: "2024-01-08" },
    ],
    stages: [
      { id: "sab-employ-people", role: "accessibility specialist" },
      { id: "sab-workplace-pensions", role: "accessibility specialist" },
    ],
  },
  {
    id: "demo-person-11",
    name: "Kofi Placeholder",
    jobTitle: "Lawyer, pensions compliance",
    grade: "Grade 7",
    organisation: "the-pensions-regulator",
    profession: "legal",
    communities: [{ id: sab, role: "member", since: "2023-09-11" }],
    stages: [{ id: "sab-workplace-pensions", role: "legal adviser" }],
  },
  {
    id: "demo-person-12",
    name: "Lena Testcase",
    jobTitle: "Head of employer communications",
    grade: "Grade 6",
    organisation: "the-pensions-regulator",
    profession: "communications",
    communities: [{ id: sab, role: "member", since: "2023-09-11" }],
    stages: [{ id: "sab-workplace-pensions", role: "communications lead" }],
  },
  {
    id: "demo-person-13",
    name: "Marek Mockingbird",
    jobTitle: "Economist, small business finance",
    grade: "Grade 7",
    organisation: "british-business-bank",
    profession: "economics",
    communities: [{ id: sab, role: "member", since: "2023-04-03" }],
    stages: [
      { id: "sab-find-finance", role: "economist" },
      { id: "sab-check-you-can-start", role: "analyst" },
    ],
  },
  {
    id: "demo-person-14",
    name: "Nia Dummy",
    jobTitle: "Start Up Loans programme manager",
    grade: "Grade 7",
    organisation: "british-business-bank",
    profession: "project-delivery",
    communities: [
      { id: sab, role: "member", since: "2023-04-03" },
      { id: agile, role: "member", since: "2022-06-01" },
    ],
    stages: [{ id: "sab-find-finance", role: "programme manager" }],
  },
  {
    id: "demo-person-15",
    name: "Oscar Fixture",
    jobTitle: "Apprenticeship service owner",
    grade: "Grade 6",
    organisation: "department-for-education",
    profession: "operational-delivery",
    communities: [{ id: sab, role: "member", since: "2023-03-01" }],
    stages: [{ id: "sab-apprenticeships-and-skills", role: "service owner" }],
  },
  {
    id: "demo-person-16",
    name: "Priya Stub",
    jobTitle: "Social researcher, skills",
    grade: "SEO",
    organisation: "department-for-education",
    profession: "social-research",
    communities: [{ id: sab, role: "member", since: "2023-10-02" }],
    stages: [{ id: "sab-apprenticeships-and-skills", role: "researcher" }],
  },
  {
    id: "demo-person-17",
    name: "Quentin Example",
    jobTitle: "Trade adviser, new exporters",
    grade: "HEO",
    organisation: "department-for-business-and-trade",
    profession: "international-trade",
    communities: [{ id: sab, role: "member", since: "2023-03-01" }],
    stages: [{ id: "sab-trade-abroad", role: "trade adviser" }],
  },
  {
    id: "demo-person-18",
    name: "Rosa Sample",
    jobTitle: "Customs policy adviser",
    grade: "SEO",
    organisation: "hm-revenue-customs",
    profession: "policy",
    communities: [{ id: sab, role: "member", since: "2023-11-06" }],
    stages: [{ id: "sab-trade-abroad", role: "customs lead" }],
  },
  {
    id: "demo-person-19",
    name: "Sam Placeholder",
    jobTitle: "Interaction designer, GOV.UK business content",
    grade: "SEO",
    organisation: "government-digital-service",
    profession: "digital-data-and-technology",
    communities: [
      { id: sab, role: "member", since: "2023-03-01" },
      { id: a11y, role: "member", since: "2020-05-18" },
      { id: agile, role: "member", since: "2020-05-18" },
    ],
    stages: [
      { id: "sab-check-you-can-start", role: "designer" },
      { id: "sab-choose-a-structure", role: "designer" },
    ],
  },
  {
    id: "demo-person-20",
    name: "Tara Testcase",
    jobTitle: "Performance analyst, business journeys",
    grade: "HEO",
    organisation: "cabinet-office",
    profession: "statistics",
    communities: [{ id: sab, role: "member", since: "2024-02-12" }],
    stages: [
      { id: "sab-register-the-company", role: "performance analyst" },
      { id: "sab-register-for-taxes", role: "performance analyst" },
    ],
  },
  {
    id: "demo-person-21",
    name: "Umar Mockingbird",
    jobTitle: "Commercial lead, finance partners",
    grade: "Grade 7",
    organisation: "british-business-bank",
    profession: "commercial",
    communities: [{ id: sab, role: "member", since: "2024-03-04" }],
    stages: [{ id: "sab-find-finance", role: "commercial lead" }],
  },
  {
    id: "demo-person-22",
    name: "Vera Dummy",
    jobTitle: "Former policy adviser, business regulation",
    grade: "Grade 7",
    organisation: "department-for-business-energy-and-industrial-strategy",
    employedUntil: mog2023,
    profession: "policy",
    communities: [{ id: sab, role: "founding member", since: "2021-06-01" }],
    stages: [{ id: "sab-check-you-can-start", role: "policy adviser", until: mog2023 }],
  },
];
