// Official price inquiry (ECS DescribePrice) and the catalog's regional price file.
export * from "./prices-edit";
export * from "./ecs-price";
export * from "./refresh";
