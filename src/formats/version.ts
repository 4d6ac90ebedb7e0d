// The package version recorded in the files nninit writes (a test keeps it equal to package.json's).

export const NNINIT_VERSION = '0.1.0';
